"""One domain error type, mapped in one place to HTTP problem responses and form errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A refused write: an illegal transition, bad input, or an action outside the actor's scope.

    ``field`` names the input at fault (for form and API field errors); ``errors`` carries
    several field errors at once; ``status`` is the HTTP status it maps to; ``extra`` adds members
    to the problem body and ``headers`` to the response.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
        status: int = 400,
        code: str = "invalid",
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.errors: dict[str, list[str]] = dict(errors or {})
        if field and field not in self.errors:
            self.errors[field] = [self.message]
        self.status = status
        self.code = code
        self.extra: dict[str, Any] = dict(extra or {})
        self.headers: dict[str, str] = dict(headers or {})

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> DomainError:
        if hasattr(exc, "error_dict"):
            errors = {
                ("non_field_errors" if k == "__all__" else k): [str(m) for e in v for m in e]
                for k, v in exc.error_dict.items()
            }
            first = next(iter(errors.values()))[0]
            return cls(first, errors=errors)
        return cls("; ".join(str(m) for m in exc.messages))


class Conflict(DomainError):
    """An action that is not allowed in the record's current state (HTTP 409)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, status=409, code="conflict")


class Forbidden(DomainError, DjangoPermissionDenied):
    """The actor may see the record (or the model) but may not perform the action (HTTP 403).

    Also Django's ``PermissionDenied``, so that a page that does not catch it answers 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=403, code="forbidden")


def apply_to_form(form: Any, exc: DomainError) -> None:
    """Copy a domain error onto a Django form: field errors where the form has the field."""
    if not exc.errors:
        form.add_error(None, exc.message)
        return
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status=status, content_type=PROBLEM)


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                flat: list[str] = []
                for i, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, msgs in _flatten(item).items():
                            out[f"{key}.{i}.{sub}"] = msgs
                    else:
                        flat.append(str(item))
                if flat:
                    out[key] = flat
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(d) for d in detail]}
    return {"non_field_errors": [str(detail)]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: every error leaves as ``application/problem+json``."""
    if isinstance(exc, DomainError):
        refused = problem(
            exc.status, exc.message, exc.message, code=exc.code, errors=exc.errors, **exc.extra
        )
        for name, value in exc.headers.items():
            refused[name] = value
        return refused
    if isinstance(exc, ValidationError):
        d = DomainError.from_validation_error(exc)
        return problem(400, _("Invalid input."), d.message, code="invalid", errors=d.errors)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": _("Invalid input."),
            "status": response.status_code,
            "detail": next(iter(errors.values()))[0] if errors else "",
            "code": "invalid",
            "errors": errors,
        }
    else:
        detail = getattr(exc, "detail", "")
        body = {
            "type": "about:blank",
            "title": str(detail) or response.status_text,
            "status": response.status_code,
            "detail": str(detail),
            "code": getattr(detail, "code", "error"),
        }
    response.data = body
    response.content_type = PROBLEM
    return response
