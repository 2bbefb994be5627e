"""Per-request context: a request id for the audit trail, the user's time zone, and the
recording of refused access once the request is over."""

from __future__ import annotations

import contextvars
import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .access import actor_context
from .security import note_request_refusal, refusal_scope

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        # the same cached context restrict() uses: one membership query per request
        tz_name = actor_context(getattr(request, "user", None)).time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name)) if tz_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            with refusal_scope():
                response = self.get_response(request)
                if response.status_code in (401, 403):
                    note_request_refusal(
                        getattr(request, "user", None),
                        request.method or "",
                        request.path,
                        response.status_code,
                    )
        finally:
            request_id_var.reset(token)
            timezone.deactivate()  # the user's time zone ends with the request
        response["X-Request-ID"] = rid
        return response
