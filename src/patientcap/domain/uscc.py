"""Unified social credit code (统一社会信用代码, USCC) as defined by GB 32100-2015.

Eighteen characters from a 31-character set (digits and capital letters without I, O, Z, S, V):

    position 1      registration authority code (登记管理部门代码), e.g. 9 = market regulation
    position 2      organisation type code (机构类别代码), e.g. 1 = enterprise
    positions 3–8   administrative division of the registration authority (six digits, GB/T 2260)
    positions 9–17  organisation code (主体标识码, GB 11714); position 17 is its own check character
    position 18     check character over positions 1–17

Check character (GB 32100-2015 §4.2): with character values C_i (0–30) and weights
W_i = 3^(i-1) mod 31, C18 = 31 − (Σ C_i·W_i mod 31), and 31 becomes 0. The standard's worked
example is 91350100M000100Y43: the sum is 1640, 1640 mod 31 = 28, 31 − 28 = 3.

>>> check_character("91350100M000100Y4")
'3'
>>> refusal("91350100M000100Y44").text
'wrong check character at position 18: expected 3'
>>> make_uscc(12345678)
'91500107123456788N'
"""

from patientcap.domain.messages import Message, gettext_noop

LENGTH = 18
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 table 1: no I, O, Z, S, V
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ...]

# GB 11714-1997: the 9-character organisation code; its 9th character checks the first 8.
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_VALUE = {c: int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}

DEFAULT_DIVISION = "500107"  # 重庆市九龙坡区, home of the Chongqing High-tech Zone


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must already be in the character set)."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_character(first8: str) -> str:
    """GB 11714 check character of an organisation code: 11 − (Σ value·weight mod 11), where
    10 is written X and 11 is written 0.

    >>> organisation_check_character("M000100Y")
    '4'
    """
    rest = 11 - sum(_ORG_VALUE[c] * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(rest, str(rest))


def normalise(code: str) -> str:
    """What people type or paste: surrounding spaces and lower case are harmless."""
    return code.strip().upper()


def refusal(code: str) -> Message | None:
    """None when `code` is a valid USCC, otherwise the first thing that is wrong with it.

    Checks, in order: length, each character (in the set; positions 3–8 digits), the organisation
    code's own check character (position 17), the code's check character (position 18).
    """
    if len(code) != LENGTH:
        return Message(
            gettext_noop("a unified social credit code has 18 characters, not %(length)d"),
            {"length": len(code)},
        )
    for position, char in enumerate(code, start=1):
        if char not in VALUE:
            return Message(
                gettext_noop(
                    "character %(char)s at position %(position)d is not allowed "
                    "(only digits and capital letters other than I, O, Z, S, V)"
                ),
                {"char": repr(char), "position": position},
            )
        if 3 <= position <= 8 and not char.isdigit():
            return Message(
                gettext_noop(
                    "character %(char)s at position %(position)d is not allowed: "
                    "positions 3–8 are the administrative division code, six digits"
                ),
                {"char": repr(char), "position": position},
            )
    expected = organisation_check_character(code[8:16])
    if code[16] != expected:
        return Message(
            gettext_noop(
                "wrong check character of the organisation code at position 17: "
                "expected %(expected)s"
            ),
            {"expected": expected},
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return Message(
            gettext_noop("wrong check character at position 18: expected %(expected)s"),
            {"expected": expected},
        )
    return None


def is_valid(code: str) -> bool:
    return refusal(code) is None


def make_uscc(
    seed_digits: int | str,
    *,
    division: str = DEFAULT_DIVISION,
    authority: str = "9",
    kind: str = "1",
) -> str:
    """A valid code for demo data and tests: authority + type + division + an organisation code
    whose first eight characters are `seed_digits` (zero-padded), then both check characters.

    Codes made here are well formed, not registered: never present them as real firms.
    """
    body = str(seed_digits).zfill(8)
    if len(body) != 8 or not body.isdigit():
        raise ValueError(f"seed_digits must be at most eight digits, not {seed_digits!r}")
    if len(division) != 6 or not division.isdigit():
        raise ValueError(f"division must be six digits, not {division!r}")
    if authority not in VALUE or kind not in VALUE:
        raise ValueError("authority and kind must be characters of the USCC set")
    first17 = authority + kind + division + body + organisation_check_character(body)
    return first17 + check_character(first17)
