from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from convoy.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' walks the hash chain and prints OK or the first broken link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **opts: Any) -> None:
        ok, message = verify_chain()
        if not ok:
            raise CommandError(f"BROKEN: {message}")
        self.stdout.write(message)
