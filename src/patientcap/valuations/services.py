"""Valuing an enterprise: run the methods of `domain.valuation` on the inputs a user gives,
reconcile them into a range and a chosen point, check a proposed price against the range and,
for state money, against the assessed value (32号令, 12号令), and save the result as a new
version that never overwrites an older one.

Method inputs are plain mappings, the same from the form and the API (amounts in yuan text such
as "500000" or "50万", ratios and rates as decimal text):

    berkus:  {"cny_per_usd": "7.2", "year5_revenue_potential": "2亿", "rolled_out": false,
              "factors": {"sound_idea": "300万", ...}}
    scorecard: {"median_pre_money": "2000万", "ratios": {"team": "1.2", ...}}
    risk_factor_summation: {"base": "1500万", "step": "180万", "scores": {"management": 1, ...}}
    vc: {"exit_metric": "1亿", "exit_multiple": "3", "investment": "500万", "years": "5",
         "target_return": "0.4" | "target_multiple": "10", "future_dilutions": ["0.2"]}
    first_chicago: {"discount_rate": "0.15", "scenarios": [{"name": "success",
         "probability": "0.3", "value": "1亿", "years": "5"}, ...]}
    latest_round: {"price_per_share": "2.50", "fully_diluted_shares": "10000000",
         "round_date": "2025-03-01", "adjustment": "1", "adjustment_reason": ""}
    market_multiples: {"metric": "2000万", "metric_name": "revenue",
         "comparables": {"A": "2.5", ...}}

Bad input raises `django.core.exceptions.ValidationError` keyed by method (or field) with a
message saying what to correct; nothing is written.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patientcap.accounts import scoping
from patientcap.audit import services as audit
from patientcap.domain import valuation as v
from patientcap.domain.money import AmountError, Fen, allocate, parse_amount, round_fen
from patientcap.enterprises.models import Enterprise
from patientcap.equity import selectors as equity
from patientcap.equity import services as equity_services
from patientcap.equity.models import EventKind
from patientcap.valuations.models import MethodChoice, MethodResult, Valuation

# Proposed parameters [P]: a deployment's own figures (valuation.md: "a deployment
# sets its own RMB equivalents"). Each value a user keeps is stored with the method's inputs.
PROPOSED_PARAMETERS: Mapping[str, str] = {
    "cny_per_usd": "7.2",
    "vc_sensitivity_return_step": "0.1",
    "vc_sensitivity_multiple_step": "0.2",
}
WIDE_SPREAD = Decimal(1)  # (high − low) / low above this: the inputs need review [P]
ROUND_MAX_AGE_MONTHS = 12  # a round older than this is flagged stale [P]


@dataclass(frozen=True)
class Computed:
    """One method's outcome: the engine's result and its low/high for the chart."""

    result: v.ValuationResult
    low_fen: Fen
    high_fen: Fen


@dataclass
class Computation:
    """All the methods run on one set of inputs, before anything is saved."""

    stage: v.Stage
    as_of: dt.date
    applicable: tuple[v.Method, ...]
    computed: dict[v.Method, Computed] = field(default_factory=dict)
    not_computed: dict[v.Method, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


# --- parsing ------------------------------------------------------------------------------


class _Bad(Exception):
    """One input field that cannot be read; turned into a ValidationError by the caller."""


def _amount(data: Mapping[str, Any], key: str, *, required: bool = True) -> Fen:
    raw = data.get(key)
    if raw in (None, ""):
        if required:
            raise _Bad(_("%(field)s is required.") % {"field": key})
        return 0
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    try:
        return parse_amount(str(raw))
    except AmountError:
        raise _Bad(
            _("%(field)s must be an amount in yuan, e.g. 5000000 or 500万, not %(value)s.")
            % {"field": key, "value": raw}
        ) from None


def _dec(data: Mapping[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    raw = data.get(key)
    if raw in (None, ""):
        if required:
            raise _Bad(_("%(field)s is required.") % {"field": key})
        return None
    if isinstance(raw, float | bool):
        raise _Bad(_('%(field)s must be written as decimal text, e.g. "0.25".') % {"field": key})
    try:
        d = Decimal(str(raw).strip())
    except InvalidOperation:
        raise _Bad(
            _("%(field)s must be a number, not %(value)s.") % {"field": key, "value": raw}
        ) from None
    if not d.is_finite():
        raise _Bad(_("%(field)s must be a finite number.") % {"field": key})
    return d


def _required_dec(data: Mapping[str, Any], key: str) -> Decimal:
    d = _dec(data, key)
    assert d is not None  # required
    return d


def _int(data: Mapping[str, Any], key: str) -> int:
    raw = data.get(key, 0)
    if raw in (None, ""):
        return 0
    try:
        d = Decimal(str(raw))
    except InvalidOperation:
        raise _Bad(_("%(field)s must be a whole number.") % {"field": key}) from None
    if d != d.to_integral_value():
        raise _Bad(_("%(field)s must be a whole number.") % {"field": key})
    return int(d)


def _date(data: Mapping[str, Any], key: str) -> dt.date:
    raw = data.get(key)
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise _Bad(_("%(field)s must be a date as YYYY-MM-DD.") % {"field": key}) from None


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    raw = data.get(key) or {}
    if not isinstance(raw, Mapping):
        raise _Bad(_("%(field)s must be a mapping of names to values.") % {"field": key})
    return raw


def _flag(data: Mapping[str, Any], key: str) -> bool:
    raw = data.get(key, False)
    if isinstance(raw, str):
        return raw.strip().lower() in {"1", "true", "on", "yes"}
    return bool(raw)


# --- the methods ---------------------------------------------------------------------------


def _berkus(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    caps = v.BerkusCaps.from_usd(_required_dec(d, "cny_per_usd"))
    factors_in = _mapping(d, "factors")
    unknown = set(factors_in) - {f.value for f in v.BerkusFactor}
    if unknown:
        raise _Bad(_("Unknown Berkus factors: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    factors = {
        v.BerkusFactor(k): _amount(factors_in, k)
        for k in factors_in
        if factors_in[k] not in ("", None)
    }
    r = v.berkus(
        factors=factors,
        caps=caps,
        year5_revenue_potential_fen=_amount(d, "year5_revenue_potential"),
        rolled_out=_flag(d, "rolled_out"),
    )
    return Computed(r, r.value_fen, r.value_fen)


def _scorecard(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    ratios_in = _mapping(d, "ratios")
    ratios = {k: _required_dec(ratios_in, k) for k in ratios_in}
    r = v.scorecard(median_pre_money_fen=_amount(d, "median_pre_money"), ratios=ratios)
    return Computed(r, r.value_fen, r.value_fen)


def _rfs(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    scores_in = _mapping(d, "scores")
    unknown = set(scores_in) - {r.value for r in v.Risk}
    if unknown:
        raise _Bad(_("Unknown risks: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    r = v.risk_factor_summation(
        base_fen=_amount(d, "base"),
        step_fen=_amount(d, "step"),
        scores={v.Risk(k): _int(scores_in, k) for k in scores_in},
    )
    return Computed(r, r.value_fen, r.value_fen)


def _vc(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    dilutions_in = d.get("future_dilutions") or []
    if isinstance(dilutions_in, str):
        dilutions_in = [x for x in dilutions_in.replace("，", ",").split(",") if x.strip()]
    dilutions = [_required_dec({"future_dilutions": x}, "future_dilutions") for x in dilutions_in]
    target_return = _dec(d, "target_return", required=False)
    target_multiple = _dec(d, "target_multiple", required=False)
    exit_metric = _amount(d, "exit_metric")
    investment = _amount(d, "investment")
    years = _dec(d, "years", required=False) or Decimal(0)
    multiple = _required_dec(d, "exit_multiple")
    r = v.vc_method(
        exit_metric_fen=exit_metric,
        exit_multiple=multiple,
        investment_fen=investment,
        years=years,
        target_return=target_return,
        target_multiple=target_multiple,
        future_dilutions=dilutions,
    )
    low = high = r.value_fen
    if target_return is not None:
        # Sensitivity [P]: target return ± one step, exit multiple ± a share of itself.
        r_step = Decimal(PROPOSED_PARAMETERS["vc_sensitivity_return_step"])
        m_step = Decimal(PROPOSED_PARAMETERS["vc_sensitivity_multiple_step"]) * multiple
        grid = v.vc_sensitivity(
            exit_metric_fen=exit_metric,
            investment_fen=investment,
            years=years,
            target_returns=[max(Decimal(0), target_return - r_step), target_return + r_step],
            exit_multiples=[multiple - m_step, multiple + m_step],
            future_dilutions=dilutions,
        )
        found = [x for x in grid.values() if x is not None]
        low, high = min(r.value_fen, *found), max(r.value_fen, *found)
    return Computed(r, low, high)


def _first_chicago(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    raw = d.get("scenarios") or []
    if not isinstance(raw, list):
        raise _Bad(_("scenarios must be a list."))
    scenarios = []
    for s in raw:
        if not isinstance(s, Mapping):
            raise _Bad(_("Each scenario needs a name, a probability, a value and years."))
        if not str(s.get("name", "")).strip() and s.get("probability") in (None, ""):
            continue  # an empty form row
        scenarios.append(
            v.Scenario(
                name=str(s.get("name", "")).strip(),
                probability=_required_dec(s, "probability"),
                value_fen=_amount(s, "value"),
                years=_dec(s, "years", required=False) or 0,
            )
        )
    rate = _required_dec(d, "discount_rate")
    r = v.first_chicago(scenarios=scenarios, discount_rate=rate)
    pvs = [_present_value(s.value_fen, rate, Decimal(s.years)) for s in scenarios]
    return Computed(r, min(*pvs, r.value_fen), max(*pvs, r.value_fen))


def _present_value(value_fen: Fen, rate: Decimal, years: Decimal) -> Fen:
    with localcontext() as ctx:
        ctx.prec = 40
        return round_fen(Decimal(value_fen) / (1 + rate) ** years)


def _latest_round(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    r = v.latest_round(
        price_per_share_yuan=_required_dec(d, "price_per_share"),
        fully_diluted_shares=_required_dec(d, "fully_diluted_shares"),
        round_date=_date(d, "round_date"),
        as_of=as_of,
        max_age_months=ROUND_MAX_AGE_MONTHS,
        adjustment=_dec(d, "adjustment", required=False) or Decimal(1),
        adjustment_reason=str(d.get("adjustment_reason", "")),
    )
    return Computed(r, r.value_fen, r.value_fen)


def _market_multiples(d: Mapping[str, Any], as_of: dt.date) -> Computed:
    comps_in = _mapping(d, "comparables")
    r = v.market_multiples(
        metric_fen=_amount(d, "metric"),
        metric_name=str(d.get("metric_name") or "revenue"),
        comparables={str(k): _required_dec(comps_in, k) for k in comps_in},
    )
    return Computed(r, r.low_fen, r.high_fen)


RUNNERS: Mapping[v.Method, Callable[[Mapping[str, Any], dt.date], Computed]] = {
    v.Method.BERKUS: _berkus,
    v.Method.SCORECARD: _scorecard,
    v.Method.RISK_FACTOR_SUMMATION: _rfs,
    v.Method.VC: _vc,
    v.Method.FIRST_CHICAGO: _first_chicago,
    v.Method.LATEST_ROUND: _latest_round,
    v.Method.MARKET_MULTIPLES: _market_multiples,
}


def round_from_equity(enterprise_id: int, on: dt.date) -> dict[str, str] | None:
    """The latest priced round in the equity app's cap table, as latest-round inputs (price per
    share, today's fully-diluted shares, the round's date); None when there is no priced round,
    and the user enters the round instead."""
    price_fen = equity.latest_price_per_share(enterprise_id, on)
    if price_fen is None:
        return None
    rounds = [e.on for e, _state in equity.history(enterprise_id, on) if e.kind == EventKind.ROUND]
    return {
        "price_per_share": f"{(Decimal(price_fen) / 100).normalize():f}",
        "fully_diluted_shares": str(equity.cap_table(enterprise_id, on).fully_diluted),
        "round_date": max(rounds).isoformat(),
        "adjustment": "1",
        "adjustment_reason": "",
    }


def compute(
    *,
    stage: str,
    as_of: dt.date,
    inputs: Mapping[str, Mapping[str, Any]],
    has_round: bool | None = None,
) -> Computation:
    """Run every method that has inputs. Methods outside the stage's set are refused; a method
    the stage fits but without inputs is listed as not computed (never as zero)."""
    try:
        stage_ = v.Stage(stage)
    except ValueError:
        raise ValidationError({"stage": [_("Choose one of the stages.")]}) from None
    unknown = set(inputs) - {m.value for m in v.Method}
    if unknown:
        raise ValidationError(
            {"methods": [_("Unknown methods: %(names)s.") % {"names": ", ".join(sorted(unknown))}]}
        )
    if has_round is None:
        has_round = bool(inputs.get(v.Method.LATEST_ROUND))
    applicable = v.methods_for_stage(stage_, has_round=has_round)
    out = Computation(stage=stage_, as_of=as_of, applicable=applicable)
    for name, data in inputs.items():
        method = v.Method(name)
        if not data:
            continue
        label = str(MethodChoice(method.value).label)
        if method not in applicable:
            out.errors.setdefault(method.value, []).append(
                _("%(method)s does not fit a firm at the %(stage)s stage.")
                % {"method": label, "stage": stage_.value}
            )
            continue
        try:
            out.computed[method] = RUNNERS[method](data, as_of)
        except (_Bad, v.ValuationError) as exc:
            out.errors.setdefault(method.value, []).append(f"{label}: {exc}")
    for method in applicable:
        if method not in out.computed and method.value not in out.errors:
            out.not_computed[method] = _("no inputs given")
    return out


def equal_weights(methods: list[v.Method]) -> dict[v.Method, Decimal]:
    """Equal weights to six places that add up to exactly 1 (largest remainder)."""
    shares = allocate(1_000_000, [1] * len(methods))
    return {m: Decimal(s) / 1_000_000 for m, s in zip(methods, shares, strict=True)}


@dataclass
class Outcome:
    """A computation reconciled and checked: what the page and API show before saving."""

    computation: Computation
    reconciliation: v.Reconciliation
    weights: dict[v.Method, Decimal]
    price: v.PriceCheck | None
    state: v.StateAssetCheck | None
    proposed_price_fen: Fen | None
    assessment_date: dt.date | None


def evaluate(
    *,
    stage: str,
    as_of: dt.date,
    inputs: Mapping[str, Mapping[str, Any]],
    rationale: str,
    weights: Mapping[str, Any] | None = None,
    chosen: str | int | None = None,
    proposed_price: str | int | None = None,
    state_money: bool = False,
    assessed_value: str | int | None = None,
    assessment_date: dt.date | str | None = None,
    relisted: bool = False,
) -> Outcome:
    """Compute, reconcile, check the price; raise ValidationError naming every problem."""
    comp = compute(stage=stage, as_of=as_of, inputs=inputs)
    errors: dict[str, list[str]] = dict(comp.errors)
    if not comp.computed and not errors:
        errors["methods"] = [_("Give the inputs of at least one method that fits the stage.")]
    values: dict[str, Any] = {}
    for key, raw, parse in (
        ("chosen", chosen, _amount),
        ("proposed_price", proposed_price, _amount),
        ("assessed_value", assessed_value, _amount),
    ):
        if raw not in (None, ""):
            try:
                values[key] = parse({key: raw}, key)
            except _Bad as exc:
                errors.setdefault(key, []).append(str(exc))
    w: dict[v.Method, Decimal] | None = None
    if weights:
        w = {}
        for k, raw in weights.items():
            if k not in {m.value for m in comp.computed}:
                if raw in (None, "", "0", 0):
                    continue
                errors.setdefault("weights", []).append(
                    _("%(method)s has a weight but no value.") % {"method": k}
                )
                continue
            try:
                w[v.Method(k)] = _required_dec({k: raw}, k)
            except _Bad as exc:
                errors.setdefault("weights", []).append(str(exc))
    assessed_on = None
    if state_money:
        if "assessed_value" not in values:
            errors.setdefault("assessed_value", []).append(
                _("State money needs the assessed (filed) value of the equity.")
            )
        if "proposed_price" not in values:
            errors.setdefault("proposed_price", []).append(
                _("State money needs the proposed price to check it against the assessed value.")
            )
        try:
            assessed_on = _date({"assessment_date": assessment_date}, "assessment_date")
        except _Bad as exc:
            errors.setdefault("assessment_date", []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    results = [c.result for c in comp.computed.values()]
    if w is None and "chosen" not in values:
        w = equal_weights(list(comp.computed))
    try:
        rec = v.reconcile(
            results,
            rationale=rationale or "",
            weights=w,
            chosen_fen=values.get("chosen"),
            not_computed=comp.not_computed,
            wide_spread=WIDE_SPREAD,
        )
    except v.ValuationError as exc:
        raise ValidationError({"reconciliation": [str(exc)]}) from None
    price = state = None
    if "proposed_price" in values:
        price = v.check_price(values["proposed_price"], low_fen=rec.low_fen, high_fen=rec.high_fen)
    if state_money:
        assert assessed_on is not None
        try:
            state = v.check_state_transfer(
                price_fen=values["proposed_price"],
                assessed_value_fen=values["assessed_value"],
                assessment_base_date=assessed_on,
                as_of=as_of,
                relisted=relisted,
            )
        except v.ValuationError as exc:
            raise ValidationError({"assessed_value": [str(exc)]}) from None
    return Outcome(
        comp, rec, dict(w or {}), price, state, values.get("proposed_price"), assessed_on
    )


# --- saving --------------------------------------------------------------------------------


@transaction.atomic
def save_valuation(
    *,
    actor: Any,
    enterprise_id: int,
    valued_on: dt.date,
    stage: str,
    purpose: str,
    inputs: Mapping[str, Mapping[str, Any]],
    rationale: str,
    weights: Mapping[str, Any] | None = None,
    chosen: str | int | None = None,
    investment: str | int | None = None,
    proposed_price: str | int | None = None,
    state_money: bool = False,
    assessed_value: str | int | None = None,
    assessment_date: dt.date | str | None = None,
    relisted: bool = False,
    previous_id: int | None = None,
) -> Valuation:
    """Save a valuation (or a revision of `previous_id`) as a new row; nothing is overwritten."""
    enterprise = scoping.get_readable(actor, Enterprise, pk=enterprise_id)
    if not may_value(actor):
        raise PermissionDenied
    from patientcap.valuations.models import Purpose

    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose the purpose of the valuation.")]
    previous = None
    if previous_id is not None:
        previous = (
            scoping.readable(actor, Valuation)
            .select_for_update()
            .filter(pk=previous_id, enterprise=enterprise)
            .first()
        )
        if previous is None:
            errors["previous"] = [_("There is no such valuation of this enterprise to revise.")]
        elif Valuation.objects.filter(previous=previous).exists():
            errors["previous"] = [_("This version is already revised; revise the latest one.")]
    try:
        investment_fen = _amount({"investment": investment}, "investment", required=False)
    except _Bad as exc:
        errors["investment"] = [str(exc)]
        investment_fen = 0
    outcome = None
    try:
        outcome = evaluate(
            stage=stage,
            as_of=valued_on,
            inputs=inputs,
            rationale=rationale,
            weights=weights,
            chosen=chosen,
            proposed_price=proposed_price,
            state_money=state_money,
            assessed_value=assessed_value,
            assessment_date=assessment_date,
            relisted=relisted,
        )
    except ValidationError as exc:
        for k, msgs in exc.message_dict.items():
            errors.setdefault(k, []).extend(msgs)
    if errors or outcome is None:
        raise ValidationError(errors)
    rec, price, state = outcome.reconciliation, outcome.price, outcome.state
    row = Valuation.objects.create(
        enterprise=enterprise,
        version=previous.version + 1 if previous else 1,
        previous=previous,
        valued_on=valued_on,
        stage=outcome.computation.stage.value,
        purpose=purpose,
        low_fen=rec.low_fen,
        high_fen=rec.high_fen,
        pre_money_fen=rec.point_fen,
        investment_fen=investment_fen,
        point_fen=rec.point_fen + investment_fen,
        inputs={k: d for k, d in inputs.items() if d},
        weights={m.value: str(w) for m, w in outcome.weights.items()},
        rationale=rec.rationale,
        spread=rec.spread if rec.spread.is_finite() else None,
        spread_is_wide=rec.spread_is_wide,
        proposed_price_fen=outcome.proposed_price_fen,
        price_position=price.position.value if price else "",
        price_distance_fen=price.distance_fen if price else 0,
        state_money=state_money,
        assessed_value_fen=state.floor_fen if state else None,
        assessment_date=outcome.assessment_date if state else None,
        relisted=relisted if state else False,
        state_outcome=state.outcome.value if state else "",
        state_reasons=list(state.reasons) if state else [],
        assessment_stale=state.stale if state else False,
        policy_version=_parameters_used(),
        created_by=actor,
    )
    MethodResult.objects.bulk_create(
        [
            MethodResult(
                valuation=row,
                method=m.value,
                value_fen=c.result.value_fen,
                low_fen=c.low_fen,
                high_fen=c.high_fen,
                inputs=c.result.inputs,
                steps=list(c.result.steps),
                weight=outcome.weights.get(m),
            )
            for m, c in outcome.computation.computed.items()
        ]
        + [
            MethodResult(valuation=row, method=m.value, not_computed=reason)
            for m, reason in outcome.computation.not_computed.items()
        ]
    )
    # The angel fund's holdings in the firm are due for review against the new value.
    flagged = equity_services.flag_for_review(
        enterprise_id=enterprise.pk,
        on=valued_on,
        reason=f"valuation #{row.pk} v{row.version} of {valued_on.isoformat()}",
    )
    audit.record(
        actor=actor,
        action="valuation.revise" if previous else "valuation.create",
        object_type="valuation",
        object_id=row.pk,
        before={"version": previous.version, "id": previous.pk} if previous else None,
        after={**_audit_facts(row, outcome), "holdings_flagged_for_review": flagged},
    )
    return row


def _parameters_used() -> str:
    """The proposed parameters this code applied (no policy file holds them yet)."""
    return (
        f"valuations.services: cny_per_usd default {PROPOSED_PARAMETERS['cny_per_usd']}, "
        f"wide spread {WIDE_SPREAD}, round stale after {ROUND_MAX_AGE_MONTHS} months, "
        f"approval below {v.APPROVAL_THRESHOLD} of assessed value (32号令)"
    )


def _audit_facts(row: Valuation, outcome: Outcome) -> dict[str, Any]:
    return {
        "enterprise_id": row.enterprise_id,
        "version": row.version,
        "valued_on": row.valued_on.isoformat(),
        "stage": row.stage,
        "purpose": row.purpose,
        "values_fen": {
            m.value: c.result.value_fen for m, c in outcome.computation.computed.items()
        },
        "range_fen": [row.low_fen, row.high_fen],
        "pre_money_fen": row.pre_money_fen,
        "point_fen": row.point_fen,
        "proposed_price_fen": row.proposed_price_fen,
        "price_position": row.price_position,
        "state_outcome": row.state_outcome,
    }


def may_value(actor: Any) -> bool:
    from patientcap.accounts.models import Role

    return bool(
        actor.is_authenticated
        and not actor.is_read_only
        and (actor.is_superuser or actor.role == Role.ZONE_OFFICER)
    )
