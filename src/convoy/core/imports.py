"""CSV import for any registry entry: all rows or none.

Columns are the add form's fields (a template CSV lists them). Related records may be given by id
or by their natural key (code, reference or name; several separated by ``;``). Every row is
validated by the form, then created through the model's service, so each is audited. Any error
leaves the database as it was and is reported by row and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .registry import ModelSpec

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
NATURAL_KEYS = ("code", "reference", "name", "username")


@dataclass
class RowError:
    row: int  # 1 = the first data row (line 2 of the file)
    field: str
    message: str


@dataclass
class ImportResult:
    created: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_columns(spec: ModelSpec, actor: Any) -> list[str]:
    return list(spec.form(actor=actor).fields)


def parse_csv(raw: bytes) -> list[dict[str, str]]:
    """Rows of a CSV file (UTF-8, with or without Excel's BOM; comma or semicolon)."""
    if len(raw) > MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB; split it."), field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            _("The file is not UTF-8 text (save it as CSV UTF-8)."), field="file"
        ) from exc
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    if not rows:
        raise DomainError(_("The file has no data rows."), field="file")
    if len(rows) > MAX_ROWS:
        raise DomainError(
            _("At most %(n)s rows per file; this one has %(m)s.") % {"n": MAX_ROWS, "m": len(rows)},
            field="file",
        )
    return rows


def _natural_key(qs: Any, part: str) -> str:
    """The id of the one record whose code, reference or name is ``part``; else ``part``."""
    names = {f.name for f in qs.model._meta.get_fields()}
    for key in NATURAL_KEYS:
        if key in names:
            hits = list(qs.filter(**{f"{key}__iexact": part}).values_list("pk", flat=True)[:2])
            if len(hits) == 1:
                return str(hits[0])
    return part


def _resolve(field_obj: forms.Field, value: str, seen: dict[tuple[int, str], str]) -> Any:
    """An id for a related-record field given an id or a natural key; the value otherwise.
    ``seen`` memoises look-ups for the whole file (rows repeat the same names)."""
    qs = getattr(field_obj, "queryset", None)
    if qs is None or not value:
        return value
    multiple = isinstance(field_obj, forms.ModelMultipleChoiceField)
    parts = [p.strip() for p in value.replace("|", ";").split(";")] if multiple else [value]
    out = []
    for part in filter(None, parts):
        if part.isdigit():
            out.append(part)
            continue
        key = (id(field_obj), part)
        if key not in seen:
            seen[key] = _natural_key(qs, part)
        out.append(seen[key])
    return out if multiple else (out[0] if out else "")


def import_rows(spec: ModelSpec, actor: Any, rows: list[dict[str, str]]) -> ImportResult:
    result = ImportResult()
    if spec.create is None:
        raise DomainError(_("Records of this kind cannot be imported."))
    template = spec.form(actor=actor)
    columns = set(template.fields)
    unknown = sorted(set(rows[0]) - columns)
    if unknown:
        result.errors.append(
            RowError(0, ", ".join(unknown), _("Unknown columns; use the template's columns."))
        )
        return result
    cleaned: list[dict[str, Any]] = []
    seen: dict[tuple[int, str], str] = {}
    for n, row in enumerate(rows, start=1):
        data = {name: _resolve(template.fields[name], value, seen) for name, value in row.items()}
        form = spec.form(data=_as_querydict(data), actor=actor)
        if form.is_valid():
            cleaned.append(form.service_data())
        else:
            for fname, msgs in form.errors.items():
                for msg in msgs:
                    result.errors.append(RowError(n, fname if fname != "__all__" else "", msg))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for n, data in enumerate(cleaned, start=1):
                try:
                    result.created.append(spec.create(actor=actor, data=data, reason="CSV import"))
                except DomainError as exc:
                    for fname, msgs in (exc.errors or {"": [exc.message]}).items():
                        for msg in msgs:
                            result.errors.append(RowError(n, fname, msg))
                    raise
    except DomainError:
        result.created = []
    return result


def _as_querydict(data: dict[str, Any]) -> Any:
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            q.setlist(key, value)
        elif value != "":
            q[key] = value
    return q
