"""Numbers typed into a box: read the usual ways people write them, or refused in plain words.

"60000", "60,000", "60 000", "2e3", "1.5e3", "+5", "−5"; a decimal point or comma ("0.95",
"0,95"). A whole-number box reads "60.000" and "60,000" as sixty thousand (nobody types three
decimals into it); a decimal box refuses "1,000" (one thousand, or one?). Nothing is clamped:
a number outside the box's range, or not whole where a whole one is asked, is refused.
"""

import re
from decimal import Decimal, DecimalException

SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break and thin space
_GROUPED = re.compile(rf"^\d{{1,3}}(?P<mark>[,.'’_{SPACES}])\d{{3}}(?:(?P=mark)\d{{3}})*$")
_DECIMAL = re.compile(r"^(\d+)(?:([.,])(\d*))?$|^()([.,])(\d+)$")  # 12, 12.5, 12,5, .5, 12.
_SCIENTIFIC = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)e([-+]?\d{1,18})$")
LONGEST = 24  # characters of the typed text quoted back to the learner


class Refused(ValueError):
    """The text is no number this box takes; str() is the reason, a sentence without its end."""


def quoted(text: str) -> str:
    """The typed text in quotes, shortened when long: “1e9”."""
    text = text.strip()
    return f"“{text if len(text) <= LONGEST else text[: LONGEST - 1] + '…'}”"


def shown(value: int | float) -> str:
    """A number as the app writes it in a sentence: 60,000; 0.5; 1 (not 1.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return f"{value:,}"


def plain(value: int | float) -> str:
    """A number as a box shows it, easy to edit: 60000; 0.5."""
    return str(value)


def _decimal(text: str, whole: bool) -> Decimal:
    """The number `text` (no sign) means, or Refused if it is none or could be two."""
    if match := _SCIENTIFIC.match(text.lower()):
        return Decimal(f"{match[1]}e{match[2]}")
    if match := _GROUPED.match(text):
        single = text.count(match["mark"]) == 1
        if match["mark"] == "." and single and not whole:
            return Decimal(text)  # 60.000 in a decimal box: sixty
        if match["mark"] == "," and single and not whole:
            one, other = Decimal(text.replace(",", "")), Decimal(text.replace(",", "."))
            raise Refused(f"{quoted(text)} could be {shown(one)} or {shown(other.normalize())}")
        return Decimal(re.sub(r"\D", "", text))
    if "," in text and "." in text:  # 1,234.5 or 1.234,5: the last mark is the decimal one
        last = max(text.rfind(","), text.rfind("."))
        before, after = text[:last], text[last + 1 :]
        if _GROUPED.match(before) and after.isdigit() and text[last] not in before:
            return Decimal(re.sub(r"\D", "", before) + "." + after)
    if match := _DECIMAL.match(text):
        whole_part = match[1] if match[1] is not None else "0"
        fraction = (match[3] if match[1] is not None else match[6]) or "0"
        return Decimal(f"{whole_part}.{fraction}")
    raise Refused(f"{quoted(text)} is not a number")


def read(text: str, low: int | float, high: int | float, whole: bool = True) -> int | float:
    """The number `text` says, from `low` to `high` (whole if `whole`); else Refused, saying why."""
    typed = (text or "").strip()
    if not typed:
        raise Refused("An empty box is not a number")
    body = typed.replace("\u2212", "-")  # the minus sign of typeset text
    minus = body[0] == "-"
    body = body[1:].strip(SPACES) if body[0] in "+-" else body
    try:
        number = _decimal(body, whole)
        number = number.copy_negate() if minus else number  # exact: no rounding, no overflow
        fractional = number != number.to_integral_value()
    except Refused as why:
        raise Refused(str(why).replace(quoted(body), quoted(typed), 1)) from None
    except DecimalException:  # an exponent too big even to hold
        raise Refused(f"{quoted(typed)} is not a number") from None
    if whole and fractional:
        raise Refused(f"{quoted(typed)} is not a whole number")
    if number > high:
        raise Refused(f"{quoted(typed)} is more than {shown(high)}, the most this box takes")
    if number < low:
        raise Refused(f"{quoted(typed)} is less than {shown(low)}, the least this box takes")
    if not whole and number and float(number) == 0:  # 1e-400: a float would hold 0
        raise Refused(f"{quoted(typed)} is too close to 0 for this box")
    return int(number) if whole else float(number)
