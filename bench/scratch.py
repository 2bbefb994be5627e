"""A scratch Django for the benchmarks: a fresh SQLite file in a temporary folder (or the
database of DATABASE_URL, if set: use a scratch one), migrated."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def scratch_django() -> str:
    """Set up and migrate; returns the folder of the SQLite file."""
    folder = tempfile.mkdtemp(prefix="convoy-bench-")
    os.environ["CONVOY_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convoy.settings.dev")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return folder
