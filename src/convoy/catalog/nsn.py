"""NATO Stock Numbers: 13 digits = 4-digit supply class (FSC), 2-digit country code (NCB),
7-digit serial. Written NNNN-NN-NNN-NNNN."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"^\d{13}$")


def normalise_nsn(value: str) -> str:
    """Return the NSN in ``NNNN-NN-NNN-NNNN`` form, or raise ``ValidationError``.

    Accepts the 13 digits with or without dashes or spaces. The supply class's group (its first
    two digits) runs from 10 to 99; the serial is never all zeros.
    """
    raw = re.sub(r"[\s-]", "", value or "")
    if not _DIGITS.match(raw):
        raise ValidationError(
            _(
                "An NSN has 13 digits: 4-digit supply class, 2-digit country code, 7-digit serial "
                "(e.g. 1005-12-345-6789)."
            ),
            code="nsn_format",
        )
    if int(raw[:2]) < 10:
        raise ValidationError(
            _("The supply class must start with a group from 10 to 99."), code="nsn_class"
        )
    if raw[6:] == "0000000":
        raise ValidationError(_("The NSN serial cannot be all zeros."), code="nsn_serial")
    return f"{raw[:4]}-{raw[4:6]}-{raw[6:9]}-{raw[9:]}"


def validate_nsn(value: str) -> None:
    if value:
        normalise_nsn(value)
