from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from convoy.demo import data
from convoy.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo scenario (reference data, users, requirements, pledges). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["no_migrate"]:
            call_command("migrate", verbosity=0)
        with tqdm(total=None, desc="demo", unit=" step", disable=opts["verbosity"] < 1) as bar:

            def progress(msg: str) -> None:
                bar.set_postfix_str(msg)
                bar.update(1)

            counts = load_demo(seed=opts["seed"], progress=progress)
        if counts["requirements"]:
            self.stdout.write(
                f"Loaded {counts['requirements']} requirements and {counts['pledges']} pledges."
            )
        else:
            self.stdout.write("Demo scenario already loaded; reused it.")
        self.stdout.write("Demo logins (password for all: convoy-demo-2024):")
        for u in data.DEMO_USERS:
            self.stdout.write(f"  {u['username']:<8} {u['nation']:<6} {', '.join(u['roles'])}")
