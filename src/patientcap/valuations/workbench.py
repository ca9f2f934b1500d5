"""The workbench form: which inputs each method asks for, how they are named in the HTML form
(`<method>.<field>`, `<method>.<group>.<key>`, `<method>.<rows>.<n>.<field>`) and how a posted
form turns back into the method inputs `services.compute` reads.

A method is used only when its "include" box is ticked, so the defaults shown in an unused
section are never mistaken for inputs.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from patientcap.domain import valuation as v
from patientcap.valuations.services import PROPOSED_PARAMETERS

BERKUS_LABELS = {
    v.BerkusFactor.SOUND_IDEA: _("Sound idea (basic value)"),
    v.BerkusFactor.PROTOTYPE: _("Prototype (technology risk)"),
    v.BerkusFactor.MANAGEMENT_TEAM: _("Quality management team (execution risk)"),
    v.BerkusFactor.STRATEGIC_RELATIONSHIPS: _("Strategic relationships (market risk)"),
    v.BerkusFactor.PRODUCT_ROLLOUT: _("Product rollout or sales (production risk)"),
}
SCORECARD_LABELS = {
    "team": _("Strength of the team"),
    "opportunity_size": _("Size of the opportunity"),
    "product_technology": _("Product / technology"),
    "competitive_environment": _("Competitive environment"),
    "marketing_sales_partnerships": _("Marketing, sales and partnerships"),
    "need_for_further_investment": _("Need for further investment"),
    "other": _("Other"),
}
RISK_LABELS = {
    v.Risk.MANAGEMENT: _("Management"),
    v.Risk.STAGE: _("Stage of the business"),
    v.Risk.LEGISLATION_POLITICAL: _("Legislation / political"),
    v.Risk.MANUFACTURING: _("Manufacturing"),
    v.Risk.SALES_MARKETING: _("Sales and marketing"),
    v.Risk.FUNDING: _("Funding / capital raising"),
    v.Risk.COMPETITION: _("Competition"),
    v.Risk.TECHNOLOGY: _("Technology"),
    v.Risk.LITIGATION: _("Litigation"),
    v.Risk.INTERNATIONAL: _("International"),
    v.Risk.REPUTATION: _("Reputation"),
    v.Risk.LUCRATIVE_EXIT: _("Potential lucrative exit"),
}
SCENARIOS = ("success", "sideways", "failure")
COMPARABLE_ROWS = 5


@dataclass(frozen=True)
class Field:
    name: str  # the HTML name
    label: Any
    value: str
    kind: str = "text"  # text | checkbox | score


def _get(data: Mapping[str, Any], *path: str | int, default: Any = "") -> Any:
    node: Any = data
    for key in path:
        if isinstance(node, Mapping):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return default
        if node is None:
            return default
    return node


def fields(method: v.Method, given: Mapping[str, Any]) -> list[Field]:
    """The inputs of `method`, filled from `given` (its stored or posted inputs) or defaults."""
    m = method.value

    def f(key: str, label: Any, default: str = "", kind: str = "text") -> Field:
        value = _get(given, key, default=default)
        return Field(f"{m}.{key}", label, str(value), kind)

    if method is v.Method.BERKUS:
        return [
            f(
                "cny_per_usd",
                _("Yuan per US dollar (for the published caps)"),
                PROPOSED_PARAMETERS["cny_per_usd"],
            ),
            f("year5_revenue_potential", _("Plausible revenue in year 5 (yuan)")),
            f("rolled_out", _("Product rolled out"), kind="checkbox"),
            *(
                Field(f"{m}.factors.{k}", label, str(_get(given, "factors", k.value)))
                for k, label in BERKUS_LABELS.items()
            ),
        ]
    if method is v.Method.SCORECARD:
        return [
            f("median_pre_money", _("Median pre-money of comparable regional deals (yuan)")),
            *(
                Field(
                    f"{m}.ratios.{k}",
                    _("%(factor)s: ratio to the average peer (weight %(weight)s)")
                    % {"factor": label, "weight": f"{v.PAYNE_WEIGHTS[k]:.0%}"},
                    str(_get(given, "ratios", k, default="1")),
                )
                for k, label in SCORECARD_LABELS.items()
            ),
        ]
    if method is v.Method.RISK_FACTOR_SUMMATION:
        return [
            f("base", _("Base pre-money (yuan)")),
            f("step", _("Value of one step (yuan)")),
            *(
                Field(
                    f"{m}.scores.{k.value}",
                    label,
                    str(_get(given, "scores", k.value, default=0)),
                    "score",
                )
                for k, label in RISK_LABELS.items()
            ),
        ]
    if method is v.Method.VC:
        dilutions = _get(given, "future_dilutions")
        if isinstance(dilutions, list):
            dilutions = ", ".join(map(str, dilutions))
        return [
            f("exit_metric", _("Exit-year metric, e.g. revenue or profit (yuan)")),
            f("exit_multiple", _("Exit multiple")),
            f("investment", _("Investment (yuan)")),
            f("years", _("Years to exit")),
            f("target_return", _("Target return per year, e.g. 0.4")),
            f("target_multiple", _("or a target multiple, e.g. 10")),
            Field(
                f"{m}.future_dilutions",
                _("Dilution of later rounds, e.g. 0.2, 0.15"),
                str(dilutions),
            ),
        ]
    if method is v.Method.FIRST_CHICAGO:
        out = [f("discount_rate", _("Discount rate (cost of capital), e.g. 0.12"))]
        for n, name in enumerate(SCENARIOS):
            out += [
                Field(
                    f"{m}.scenarios.{n}.name",
                    _("Scenario"),
                    str(_get(given, "scenarios", n, "name", default=name)),
                ),
                Field(
                    f"{m}.scenarios.{n}.probability",
                    _("Probability"),
                    str(_get(given, "scenarios", n, "probability")),
                ),
                Field(
                    f"{m}.scenarios.{n}.value",
                    _("Value in that scenario (yuan)"),
                    str(_get(given, "scenarios", n, "value")),
                ),
                Field(
                    f"{m}.scenarios.{n}.years",
                    _("Years until then"),
                    str(_get(given, "scenarios", n, "years")),
                ),
            ]
        return out
    if method is v.Method.LATEST_ROUND:
        return [
            f("price_per_share", _("Price per share in the round (yuan)")),
            f("fully_diluted_shares", _("Fully-diluted shares")),
            f("round_date", _("Date of the round (YYYY-MM-DD)")),
            f("adjustment", _("Adjustment for time and milestones (1 = none)"), "1"),
            f("adjustment_reason", _("Reason for the adjustment")),
        ]
    comparables = list(_get(given, "comparables", default={}).items())
    out = [
        f("metric", _("The firm's metric (yuan)")),
        f("metric_name", _("Metric, e.g. revenue or EBITDA"), "revenue"),
    ]
    for n in range(COMPARABLE_ROWS):
        name, multiple = comparables[n] if n < len(comparables) else ("", "")
        out += [
            Field(f"{m}.comparables.{n}.name", _("Comparable firm"), str(name)),
            Field(f"{m}.comparables.{n}.multiple", _("Its multiple"), str(multiple)),
        ]
    return out


def _unflatten(items: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in items.items():
        node = out
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def _rows(group: Any) -> list[dict[str, Any]]:
    if not isinstance(group, dict):
        return []
    return [group[k] for k in sorted(group, key=lambda k: int(k) if k.isdigit() else 0)]


def parse(post: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The inputs of the ticked methods from a posted form, in `services` shape."""
    names = {m.value for m in v.Method}
    flat = {
        k: str(post.get(k, "")).strip() for k in post if k.split(".", 1)[0] in names and "." in k
    }
    tree = _unflatten(flat)
    out: dict[str, dict[str, Any]] = {}
    for method in v.Method:
        if not post.get(f"use.{method.value}"):
            continue
        data = tree.get(method.value, {})
        if method is v.Method.FIRST_CHICAGO:
            data["scenarios"] = [
                r for r in _rows(data.get("scenarios")) if r.get("probability") or r.get("value")
            ]
        if method is v.Method.MARKET_MULTIPLES:
            data["comparables"] = {
                r["name"]: r.get("multiple", "")
                for r in _rows(data.get("comparables"))
                if r.get("name")
            }
        if method is v.Method.BERKUS:
            data["rolled_out"] = bool(data.get("rolled_out"))
            data["factors"] = {k: x for k, x in (data.get("factors") or {}).items() if x}
        out[method.value] = data
    return out
