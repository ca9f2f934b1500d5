"""What if: rescore one firm with some inputs changed, as typed in the what-if panel.

Pure (domain code only, no database): the panel's request gives the firm's stored inputs and
the typed changes; `rescore` reads each typed value exactly (amounts in yuan as people write
them, "200万"; ratios as 0.45 or 45%; yes/no flags; counts), scores, and finds the
counterfactuals. A value that cannot be read is reported for its field and the stored value is
kept, so one typo never hides the rest of the answer. Fast: well under the 100 ms a change the
panel allows (see benchmarks/scoring.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from patientcap.domain import scoring
from patientcap.domain.messages import gettext_noop
from patientcap.domain.money import AmountError, format_yuan, parse_amount
from patientcap.domain.ruleset import RuleSet

RATIO_FIELDS = frozenset(
    {
        "debt_ratio",
        "main_business_share",
        "top_customer_share",
        "key_staff_turnover",
        "revenue_growth",
    }
)
FLAG_FIELDS = frozenset(
    {
        "strategic_emerging", "high_tech_enterprise", "little_giant", "specialised_sme",
        "innovative_sme", "national_award", "provincial_rd_institution", "led_standard",
        "major_incident", "ip_self_developed", "rd_management_system",
        "rd_institution_cooperation", "conversion_incentives", "talent_system", "st_award_3y",
        "st_award_ranked", "innovation_title", "maker_china_top500",
    }
)  # fmt: skip
SHOWN_PLACES = Decimal("0.0001")
YES = {"1", "true", "yes", "on", "是"}
NO = {"0", "false", "no", "off", "否"}


def kind(field: str) -> str:
    """How a field is typed: amount (yuan), ratio, flag or number."""
    if field.endswith("_fen"):
        return "amount"
    if field in RATIO_FIELDS:
        return "ratio"
    if field in FLAG_FIELDS:
        return "flag"
    return "number"


def shown(field: str, value: Decimal | None) -> str:
    """A stored input as the panel shows it for editing."""
    if value is None:
        return ""
    k = kind(field)
    if k == "amount":
        return format_yuan(int(value), symbol=False)
    if k == "flag":
        return "1" if value else "0"
    if k == "ratio" and abs(value) < 10**20:
        value = value.quantize(SHOWN_PLACES)  # a derived ratio can have 28 digits
    return f"{value.normalize():f}"


def parse(field: str, text: str) -> Decimal | int | bool | None:
    """The exact value of typed `text` (empty: missing). Raises ValueError with a msgid."""
    text = text.strip().replace("，", ",")
    if not text:
        return None
    k = kind(field)
    if k == "flag":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError(gettext_noop("Answer yes (1) or no (0)."))
    if k == "amount":
        negative = text.startswith("-")
        try:
            fen = parse_amount(text.lstrip("-"))
        except AmountError:
            raise ValueError(
                gettext_noop("Give an amount in yuan, e.g. 1200000 or 120万.")
            ) from None
        return -fen if negative else fen
    percent = text.endswith("%")
    try:
        value = Decimal(text.rstrip("%").replace(",", ""))
    except InvalidOperation:
        raise ValueError(gettext_noop("Give a number, e.g. 12 or 0.35.")) from None
    if not value.is_finite():
        raise ValueError(gettext_noop("Give a number, e.g. 12 or 0.35."))
    if percent:
        value /= 100
    return int(value) if k == "number" and value == value.to_integral_value() else value


@dataclass(frozen=True)
class WhatIf:
    evaluation: scoring.Evaluation
    counterfactuals: tuple[scoring.Counterfactual, ...]
    inputs: dict[str, Decimal | None]
    errors: dict[str, str]  # field -> msgid of the problem with what was typed


def rescore(
    ruleset: RuleSet,
    base: Mapping[str, object],
    changes: Mapping[str, str],
    picks: Mapping[str, scoring.Pick] | None = None,
) -> WhatIf:
    """Score `base` with the typed `changes` applied (only fields the rule set reads; a field
    whose text is still what the panel showed keeps its exact stored value)."""
    values = scoring.normalise(ruleset, base)
    errors: dict[str, str] = {}
    for field, text in changes.items():
        if field not in values or text.strip() == shown(field, values[field]):
            continue
        try:
            values[field] = scoring._exact(field, parse(field, text))
        except ValueError as exc:
            errors[field] = str(exc)
    ev = scoring.score(ruleset, values, picks)
    cfs = scoring.counterfactuals(ruleset, values, picks)
    return WhatIf(ev, cfs, values, errors)
