"""Writers racing on the same records, each in its own thread and database connection.

In every round, 20 threads read the same version of a requirement and of a pledge line and then
all try, at once (a barrier), to write through the API with ``If-Match``: raise the requirement's
quantity by one (read-modify-write) and accept one unit of the line. Exactly one writer may win
per record and round; the others must get 412. Afterwards:

* lost updates = successful increments reported - the increase actually stored (must be 0);
* the line's states still add up to its quantity, and accepted = accept successes;
* there is exactly one audit event per success, and the hash chain verifies.

Without the version check every writer "succeeds" and 19 increments per round are lost, so the
test fails; ``test_the_race_detects_lost_updates`` shows that on the unchecked path.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from convoy.core.audit import verify_chain
from convoy.core.models import AuditEvent
from convoy.core.tests import factories
from convoy.core.tests.factories import build_world

THREADS = 20
ROUNDS = 50

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]),
        reason="needs a database that several connections share (PostgreSQL or an SQLite file)",
    ),
]


@dataclass
class Tally:
    outcomes: Counter[tuple[str, int]] = field(default_factory=Counter)
    winners: dict[tuple[str, int], int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, what: str, rnd: int, status: int, detail: str = "") -> None:
        with self.lock:
            self.outcomes[(what, status)] += 1
            if status == 200:
                self.winners[(what, rnd)] = self.winners.get((what, rnd), 0) + 1
            elif status != 412:
                self.errors.append(f"{what} round {rnd}: {status} {detail[:200]}")


def race(
    world: Any, *, conditional: bool, threads: int = THREADS, rounds: int = ROUNDS
) -> tuple[Tally, dict[str, Any]]:
    req = factories.requirement(world, quantity=100)
    line = factories.line(world, factories.pledge(world), quantity=threads * rounds * 2)
    ukr, command = world.users["ukr"], world.users["command"]
    barrier = threading.Barrier(threads)
    tally = Tally()
    state: dict[str, Any] = {}
    state_lock = threading.Lock()

    def read(api: APIClient, url: str) -> tuple[int, dict[str, Any]]:
        r = api.get(url)
        return r.json()["version"], r.json()

    def worker(i: int) -> None:
        try:
            writer = APIClient()
            writer.force_authenticate(ukr)
            approver = APIClient()
            approver.force_authenticate(command)
            for rnd in range(rounds):
                # everyone reads first, then everyone writes at once
                req_version, body = read(writer, f"/api/requirements/{req.pk}/")
                line_version, _ = read(approver, f"/api/pledge-lines/{line.pk}/")
                barrier.wait(timeout=60)
                extra: Callable[[int], dict[str, Any]] = (
                    (lambda v: {"HTTP_IF_MATCH": f'"v{v}"'}) if conditional else (lambda v: {})
                )
                r = writer.patch(
                    f"/api/requirements/{req.pk}/",
                    {"quantity": body["quantity"] + 1},
                    format="json",
                    **extra(req_version),
                )
                tally.record("increment", rnd, r.status_code, r.content.decode())
                r = approver.post(
                    f"/api/pledge-lines/{line.pk}/accept/",
                    {"quantity": 1},
                    format="json",
                    **extra(line_version),
                )
                tally.record("accept", rnd, r.status_code, r.content.decode())
                barrier.wait(timeout=60)  # the round is over for everyone
        except Exception as exc:  # reported, never swallowed
            with state_lock:
                tally.errors.append(f"thread {i}: {exc!r}")
            barrier.abort()
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    req.refresh_from_db()
    line.refresh_from_db()
    state.update(req=req, line=line)
    return tally, state


def test_twenty_writers_fifty_rounds_one_winner_no_lost_update(world: Any, capsys: Any) -> None:
    tally, state = race(world, conditional=True)
    req, line = state["req"], state["line"]
    assert not tally.errors, tally.errors[:5]
    increments = tally.outcomes[("increment", 200)]
    accepts = tally.outcomes[("accept", 200)]
    lost = increments - (req.quantity - 100)
    with capsys.disabled():
        print(
            f"\nrace ({connection.vendor}): {THREADS} threads x {ROUNDS} rounds x 2 records = "
            f"{THREADS * ROUNDS * 2} writes; {increments + accepts} won, "
            f"{tally.outcomes[('increment', 412)] + tally.outcomes[('accept', 412)]} refused "
            f"(412), lost updates {lost}"
        )
    # exactly one winner per record and round
    assert all(
        tally.winners.get((what, r)) == 1 for what in ("increment", "accept") for r in range(ROUNDS)
    )
    assert increments == accepts == ROUNDS
    assert (
        tally.outcomes[("increment", 412)]
        == tally.outcomes[("accept", 412)]
        == ROUNDS * (THREADS - 1)
    )
    assert lost == 0
    # quantities conserved
    assert line.accepted == ROUNDS and line.offered + line.accepted == line.quantity
    # one audit event per success; the chain is intact
    assert (
        AuditEvent.objects.filter(action="requirement.update", object_id=str(req.pk)).count()
        == ROUNDS
    )
    assert (
        AuditEvent.objects.filter(action="pledge_line.accept", object_id=str(line.pk)).count()
        == ROUNDS
    )
    ok, message = verify_chain()
    assert ok, message


def test_the_race_detects_lost_updates(world: Any, capsys: Any) -> None:
    """The same race without If-Match: updates are lost, so the measure above is not vacuous."""
    tally, state = race(world, conditional=False, threads=8, rounds=3)
    assert not tally.errors, tally.errors[:5]
    lost = tally.outcomes[("increment", 200)] - (state["req"].quantity - 100)
    with capsys.disabled():
        print(f"\nrace without If-Match ({connection.vendor}): 8 threads x 3 rounds, lost {lost}")
    assert lost > 0
    # even unconditional, the row lock keeps the line's quantities conserved
    line = state["line"]
    assert line.accepted == tally.outcomes[("accept", 200)] == 8 * 3
    assert line.offered + line.accepted == line.quantity


@pytest.fixture
def world(transactional_db: Any) -> Any:
    return build_world()
