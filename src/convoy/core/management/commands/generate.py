from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from convoy.demo.generate import generate


class Command(BaseCommand):
    help = (
        "Create a synthetic scenario of any size, reproducible by seed: N requirements and "
        "M pledges (each with --lines-per-pledge lines) over --items catalogue items."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requirements", type=int, required=True)
        parser.add_argument("--pledges", type=int, required=True)
        parser.add_argument("--lines-per-pledge", type=int, default=1)
        parser.add_argument("--items", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        total = opts["requirements"] + opts["pledges"] * (1 + opts["lines_per_pledge"])
        with tqdm(total=total, desc="generate", unit=" rec", disable=opts["verbosity"] < 1) as bar:
            counts = generate(
                requirements=opts["requirements"],
                pledges=opts["pledges"],
                lines_per_pledge=opts["lines_per_pledge"],
                items=opts["items"],
                seed=opts["seed"],
                progress=bar.update,
            )
        self.stdout.write(
            f"Generated {counts['requirements']} requirements, {counts['pledges']} pledges, "
            f"{counts['lines']} pledge lines over {counts['items']} items "
            f"(seed {opts['seed']}) in {time.perf_counter() - started:.1f} s."
        )
