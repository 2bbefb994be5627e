"""Optimistic concurrency: a write that was prepared against an older version of a record fails.

Every editable record carries a ``version`` that each write increments. A page form sends the
version it was opened with; an API client sends it as ``If-Match`` (the ``ETag`` of its read).
The caller states the expectation around the service call::

    with expecting(Requirement, obj.pk, version):
        requirement_update(actor=user, obj=obj, data=...)

and ``lock_for`` — which every service calls on the record it writes, inside the transaction,
after ``SELECT ... FOR UPDATE`` — compares it with the locked row. So the check and the write are
atomic: of several writers that read the same version, exactly one wins and the others get
``PreconditionFailed`` (HTTP 412), naming who changed the record and when.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from .errors import DomainError

_expected: contextvars.ContextVar[tuple[str, str, int] | None] = contextvars.ContextVar(
    "expected_version", default=None
)


class PreconditionFailed(DomainError):
    """The record changed since the caller read it (HTTP 412, with what it is at now)."""

    def __init__(self, message: str, *, current_version: int, changed_by: str = "") -> None:
        super().__init__(
            message,
            status=412,
            code="stale",
            extra={"current_version": current_version, "changed_by": changed_by},
            headers={"ETag": etag(current_version)},
        )
        self.current_version = current_version


@contextmanager
def expecting(model: type[models.Model], pk: Any, version: int | None) -> Iterator[None]:
    """Within the block, writes to record ``pk`` of ``model`` require it to be at ``version``
    (None: no check)."""
    if version is None:
        yield
        return
    token = _expected.set((model._meta.label_lower, str(pk), int(version)))
    try:
        yield
    finally:
        _expected.reset(token)


def last_change(obj: models.Model) -> tuple[str, Any]:
    """Who wrote ``obj`` last and when, from the audit trail."""
    from .audit import history_of

    event = history_of(obj).values_list("actor_username", "occurred_at").first()
    return event if event else ("", None)


def check_version(locked: models.Model) -> None:
    """Called by ``lock_for`` on the freshly locked row."""
    expected = _expected.get()
    if expected is None or not hasattr(locked, "version"):
        return
    label, pk, version = expected
    if label != locked._meta.label_lower or pk != str(locked.pk):
        return
    current = int(locked.version)
    if current == version:
        return
    who, when = last_change(locked)
    if who and when:
        message = _(
            "%(who)s changed this record at %(when)s UTC since you opened it "
            "(version %(theirs)s, you had %(yours)s)."
        ) % {
            "who": who,
            "when": when.strftime("%Y-%m-%d %H:%M:%S"),
            "theirs": current,
            "yours": version,
        }
    else:
        message = _(
            "This record changed since you opened it (version %(theirs)s, you had %(yours)s)."
        ) % {"theirs": current, "yours": version}
    raise PreconditionFailed(message, current_version=current, changed_by=who)


_TAG = re.compile(r'^(?:W/)?"v(\d+)"$')


def etag(version: int) -> str:
    return f'"v{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` header asks for; None when absent or ``*``.

    Several tags are not supported (a client holds one read); a malformed header is an error.
    """
    if header is None or header.strip() in ("", "*"):
        return None
    m = _TAG.match(header.strip())
    if m is None:
        raise DomainError(
            _('If-Match must be one ETag of this API, such as "v3".'), field="If-Match"
        )
    return int(m.group(1))


def parse_form_version(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)
