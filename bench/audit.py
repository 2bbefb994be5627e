"""Benchmark: what the trust layer costs — the audit trail at scale and the checks on each write.

    .venv/bin/python bench/audit.py [--events 200000] [--writes 300]

Side by side in one run, on a fresh SQLite file in a temporary folder (or on DATABASE_URL if set:
use a scratch database):

* ``convoy audit verify`` over N events (events per second), and the audit search a coordinator
  runs (by actor, by nation and action, by object, by date range; through ``restrict``) at that
  size, against the same search on a trail of N/10 events;
* an audited update through the service, unconditional vs with an expected version (the
  ``If-Match`` path), and a refused update (403, recorded as ``security.refused``) vs an allowed
  one, through the API.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from scratch import scratch_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--writes", type=int, default=300)
    args = parser.parse_args()

    scratch_django()
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.test import APIClient

    import convoy.urls  # noqa: F401  (populates the registry)
    from convoy.core.access import restrict
    from convoy.core.audit import chained_fields, event_digest, verify_chain
    from convoy.core.auditlog import AuditEventFilter
    from convoy.core.concurrency import expecting
    from convoy.core.models import AuditEvent
    from convoy.demo.loader import bootstrap_admin, load_reference
    from convoy.logistics.models import Node
    from convoy.requirements import services
    from convoy.requirements.models import Requirement

    load_reference(bootstrap_admin())
    User = get_user_model()
    command = User.objects.get(username="command")
    ukr_user = User.objects.get(username="ukr")
    deu_user = User.objects.get(username="deu")

    start = timezone.now() - dt.timedelta(days=365)
    appended = [0]

    def append_synthetic(n: int) -> float:
        """N chained events as a busy mission would write them (bulk: the trail, not the writes,
        is measured here)."""
        t0 = time.perf_counter()
        last = AuditEvent.objects.order_by("-id").first()
        prev = last.hash if last else ""
        actors = [("ukr", "UKR"), ("deu", "DEU"), ("pol", "POL"), ("command", "NSATU")]
        batch: list[AuditEvent] = []
        for i in range(appended[0], appended[0] + n):
            who, nation = actors[i % len(actors)]
            e = AuditEvent(
                occurred_at=start + dt.timedelta(seconds=i * 150),
                actor_username=who,
                nation_code=nation,
                request_id=f"r{i}",
                action=("requirement.update", "pledge_line.accept", "security.login")[i % 3],
                object_type="requirements.requirement",
                object_id=str(i % 5000),
                before={"quantity": i},
                after={"quantity": i + 1},
                reason="",
                prev_hash=prev,
            )
            e.hash = prev = event_digest(chained_fields(e), prev)
            batch.append(e)
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch.clear()
        AuditEvent.objects.bulk_create(batch)
        appended[0] += n
        return time.perf_counter() - t0

    def searches() -> dict[str, float]:
        day = (start + dt.timedelta(days=1)).date().isoformat()
        queries = {
            "by actor": {"actor": "deu"},
            "by nation + action": {"nation": "POL", "action": "pledge_line."},
            "by object": {"object_type": "requirements.requirement", "object_id": "4242"},
            "by date range": {"since": day, "until": day},
        }
        out = {}
        for name, params in queries.items():
            t0 = time.perf_counter()
            for _ in range(5):
                qs = restrict(AuditEvent.objects.all(), command, "view")
                f = AuditEventFilter(params, queryset=qs)
                assert f.is_valid(), f.errors
                rows = list(f.qs.order_by("-id")[:25])  # one page, as the list shows
                f.qs.count()  # and the "n records" line
            out[name] = (time.perf_counter() - t0) / 5
            assert rows or name == "by object"
        return out

    small = args.events // 10
    append_synthetic(small)
    t0 = time.perf_counter()
    ok, msg = verify_chain()
    verify_small = time.perf_counter() - t0
    assert ok, msg
    search_small = searches()
    t_append = append_synthetic(args.events - small)
    total = AuditEvent.objects.count()
    t0 = time.perf_counter()
    ok, msg = verify_chain()
    verify_big = time.perf_counter() - t0
    assert ok, msg
    search_big = searches()

    # --- the checks on each write ----------------------------------------------------------
    dest = Node.objects.filter(kind="destination").first()
    from convoy.catalog.models import Item

    item = Item.objects.first()

    def new_requirement() -> Requirement:
        return services.requirement_create(
            actor=ukr_user,
            data={
                "title": "bench",
                "item": item,
                "quantity": 5,
                "priority": 2,
                "needed_by": dt.date(2027, 1, 1),
                "destination": dest,
            },
        )

    req = new_requirement()

    def timed(fn: Any, n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t0) / n

    w = args.writes

    def unconditional() -> None:
        services.requirement_update(actor=ukr_user, obj=req, data={"quantity": 6})

    def conditional() -> None:
        current = Requirement.objects.get(pk=req.pk)
        with expecting(Requirement, current.pk, current.version):
            services.requirement_update(actor=ukr_user, obj=current, data={"quantity": 6})

    t_plain = timed(unconditional, w)
    t_cond = timed(conditional, w)
    api_ukr, api_deu = APIClient(SERVER_NAME="localhost"), APIClient(SERVER_NAME="localhost")
    api_ukr.force_authenticate(ukr_user)
    api_deu.force_authenticate(deu_user)
    from convoy.nations.models import Nation

    deu = Nation.objects.get(code="DEU")
    services.requirement_update(actor=ukr_user, obj=req, data={"released_to": [deu]})

    def api_allowed() -> None:
        r = api_ukr.patch(f"/api/requirements/{req.pk}/", {"quantity": 7}, format="json")
        assert r.status_code == 200

    def api_refused() -> None:  # DEU sees it (released) but may not change it
        r = api_deu.patch(f"/api/requirements/{req.pk}/", {"quantity": 8}, format="json")
        assert r.status_code == 403, r.status_code

    t_api_ok = timed(api_allowed, w)
    t_api_refused = timed(api_refused, w)

    appended_big = args.events - small
    print(f"\naudit trail: {total:,} events (bulk-appended {appended_big:,} in {t_append:.1f} s)")
    print(f"{'':28} {small:>12,} {total:>12,}   ratio")
    print(
        f"{'verify the chain':28} {verify_small:>11.2f}s {verify_big:>11.2f}s "
        f"{verify_big / verify_small:6.1f}x   ({total / verify_big:,.0f} events/s)"
    )
    for name in search_small:
        a, b = search_small[name], search_big[name]
        print(f"{'search ' + name:28} {a * 1000:>10.1f}ms {b * 1000:>10.1f}ms {b / a:6.1f}x")
    print(f"\nwrites ({w} each, one audit event per success):")
    print(f"{'service update, no version':34} {t_plain * 1000:7.2f} ms")
    print(
        f"{'service update, expected version':34} {t_cond * 1000:7.2f} ms  "
        f"{t_cond / t_plain:5.2f}x (includes re-reading the record)"
    )
    print(f"{'API PATCH allowed':34} {t_api_ok * 1000:7.2f} ms")
    print(
        f"{'API PATCH refused (403, recorded)':34} {t_api_refused * 1000:7.2f} ms  "
        f"{t_api_refused / t_api_ok:5.2f}x"
    )


if __name__ == "__main__":
    main()
