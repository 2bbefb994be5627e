"""The ``convoy`` command: Django's manage.py with Convoy's settings chosen by ``CONVOY_ENV``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    env = os.environ.get("CONVOY_ENV", "dev")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"convoy.settings.{env}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
