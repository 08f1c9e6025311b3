"""Reading numbers people type, and writing them back canonically.

:func:`parse_number` reads a target or realisasi as typed in a form, in the notation of the
form's language, with Babel (``babel.numbers.parse_decimal(..., strict=True)``):

- Indonesian (``language == "id"``): "." groups thousands, "," is the decimal sign:
  "1.234,5", "1234,5", "12,5", "0,75", "1.234" (= 1234). A text that Babel refuses in
  Indonesian but that is a plain canonical decimal, digits "." digits with no grouping
  ("12.5", "1234.56", "0.5"), is read as that decimal: it cannot be meant otherwise,
  because Indonesian groups exactly three digits. "1.234" and "1.234.567" look like
  thousands grouping and stay 1234 and 1234567.
- English (any other language): "," groups thousands, "." is the decimal sign: "1,234.5",
  "1234.5", "12.5", ".5".
- Always: spaces anywhere (also as thousands groups: "1 234"), one leading "+" or "-" (the
  Unicode minus "−" too) and one trailing "%" ("87,5 %" is 87.5).
- Refused (:class:`~alur.core.errors.InvalidNumber` and its subclasses): anything else,
  including an empty text, letters, exponents ("1e5"), NaN and Infinity; more than
  :data:`MAX_DECIMALS` decimals once trailing zeros are dropped; a magnitude above
  :data:`MAX_MAGNITUDE`.

The value keeps the decimals typed ("12,50" is ``Decimal("12.50")``); :func:`decimal_text`
is the canonical text used in hashes and change lists.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

from alur.core.errors import InvalidNumber, NumberTooLarge, TooManyDecimals

MAX_DECIMALS = 6
MAX_MAGNITUDE = Decimal("1e15")

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_ALLOWED = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*")
_CANONICAL = re.compile(r"[+-]?[0-9]+\.[0-9]+")


def parse_number(text: str, language: str) -> Decimal:
    """The number ``text`` in ``language``'s notation (see the module docstring)."""
    cleaned = _SPACES.sub("", text).replace("\u2212", "-")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    shown = text.strip()
    if not _ALLOWED.fullmatch(cleaned):
        raise InvalidNumber(text=shown)
    locale = "id" if language == "id" else "en"
    try:
        value = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError:
        if locale != "id" or not _CANONICAL.fullmatch(cleaned):
            raise InvalidNumber(text=shown) from None
        value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidNumber(text=shown)
    if abs(value) > MAX_MAGNITUDE:
        raise NumberTooLarge(text=shown)
    if value == 0:
        return Decimal(0)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise TooManyDecimals(text=shown, places=MAX_DECIMALS)
    return value


def decimal_text(value: Decimal) -> str:
    """``value`` as a plain canonical decimal: no exponent, no trailing zeros ("12.5",
    "1000", "0")."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")
