"""Early-stage valuation: seven methods, the stage table, reconciliation and state-asset checks.

Models `shared/reference/valuation.md`: Berkus, Payne's scorecard, risk factor summation, the VC
method with dilution retention, First Chicago, the latest-round price (参考最近融资价格法) and
market multiples (市场乘数法). Each method returns a `ValuationResult`: the value in fen, the
inputs as text (for storage and the page) and the steps, one sentence each, that produced it.
Every value is the firm's equity value *before* the proposed investment (a pre-money value).

The published parameters are in USD; a deployment turns them into fen with its own rate from
policy data (`usd_to_fen`). Bad input raises `ValuationError` (a `ValueError`) saying what is
wrong. Amounts are int fen; multiples, probabilities, weights and rates are Decimal. No clock:
dates are passed in.

Worked example (VC method, reference §1.1): an exit revenue of ¥100M at 3× is worth ¥300M; at a
10× target multiple the post-money is ¥30M, so a ¥5M investment buys in at ¥25M pre-money.

>>> r = vc_method(exit_metric_fen=from_yuan(100_000_000), exit_multiple=Decimal(3),
...               investment_fen=from_yuan(5_000_000), target_multiple=Decimal(10))
>>> format_yuan(r.post_money_fen), format_yuan(r.value_fen), r.required_ownership
('¥30,000,000.00', '¥25,000,000.00', Decimal('0.1666666666666666666666666667'))
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, localcontext
from enum import StrEnum
from statistics import median

from patientcap.domain.money import Fen, apply_ratio, format_yuan, from_yuan, round_fen

ONE = Decimal(1)


class ValuationError(ValueError):
    """Input that a valuation method cannot use; the message says what to correct."""


class TargetUnreachable(ValuationError):
    """The investment is not below the post-money: no price meets the target return."""


class Stage(StrEnum):
    IDEA = "idea"
    SEED = "seed"
    STARTUP = "startup"
    GROWTH = "growth"
    EXPANSION = "expansion"


class Method(StrEnum):
    BERKUS = "berkus"
    SCORECARD = "scorecard"
    RISK_FACTOR_SUMMATION = "risk_factor_summation"
    VC = "vc"
    FIRST_CHICAGO = "first_chicago"
    LATEST_ROUND = "latest_round"
    MARKET_MULTIPLES = "market_multiples"


_PRE_REVENUE = (Method.BERKUS, Method.SCORECARD, Method.RISK_FACTOR_SUMMATION)
_WITH_REVENUE = (Method.VC, Method.FIRST_CHICAGO, Method.MARKET_MULTIPLES)

# Reference §4.1: pre-revenue firms get Berkus, Scorecard and RFS; firms with revenue get the VC
# method, First Chicago and market multiples. Which of the five stages is pre-revenue is our
# proposal [P]: idea and seed are; a seed firm is also valued by the VC method (seed 10–20×),
# a startup has first revenue but is still compared with its regional peers (scorecard).
# The latest-round price is added whenever a round exists (see `methods_for_stage`).
METHODS_BY_STAGE: Mapping[Stage, tuple[Method, ...]] = {
    Stage.IDEA: _PRE_REVENUE,
    Stage.SEED: (*_PRE_REVENUE, Method.VC),
    Stage.STARTUP: (Method.SCORECARD, *_WITH_REVENUE),
    Stage.GROWTH: _WITH_REVENUE,
    Stage.EXPANSION: _WITH_REVENUE,
}


def methods_for_stage(stage: Stage, *, has_round: bool) -> tuple[Method, ...]:
    """The methods that fit `stage`; the latest-round price always, when a round exists.

    >>> [m.value for m in methods_for_stage(Stage.IDEA, has_round=True)]
    ['berkus', 'scorecard', 'risk_factor_summation', 'latest_round']
    """
    methods = METHODS_BY_STAGE[Stage(stage)]
    return (*methods, Method.LATEST_ROUND) if has_round else methods


@dataclass(frozen=True)
class ValuationResult:
    """One method's value (fen, before the new money), its inputs as text, and its steps."""

    method: Method
    value_fen: Fen
    inputs: dict[str, str]
    steps: tuple[str, ...]


# --- input checks --------------------------------------------------------------------------


def _decimal(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValuationError(f"{name} must be a Decimal, not {type(value).__name__}")
    d = Decimal(value)
    if not d.is_finite():
        raise ValuationError(f"{name} must be a finite number, not {d}")
    return d


def _fen(name: str, value: object, *, positive: bool = False) -> Fen:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValuationError(f"{name} must be an integer number of fen")
    if value < 0 or (positive and value == 0):
        raise ValuationError(f"{name} must be {'above' if positive else 'at least'} zero")
    return value


def _rate(name: str, value: object) -> Decimal:
    rate = _decimal(name, value)
    if rate <= -1:
        raise ValuationError(f"{name} of {rate:%} is -100% or lower: there is nothing to discount")
    return rate


def _years(value: object) -> Decimal:
    years = _decimal("years", value)
    if not 0 <= years <= 100:
        raise ValuationError(f"years must be between 0 and 100, not {years}")
    return years


def _growth(rate: Decimal, years: Decimal) -> Decimal:
    """(1 + rate) ** years to 40 digits, so the one rounding to fen happens later."""
    with localcontext() as ctx:
        ctx.prec = 40
        return (ONE + rate) ** years


def _relative(difference: Fen, base: Fen) -> Decimal:
    """difference ÷ base; any difference from a zero base is infinitely large."""
    if base:
        return Decimal(difference) / base
    return Decimal("Infinity") if difference else Decimal(0)


def usd_to_fen(usd: int | Decimal, cny_per_usd: Decimal) -> Fen:
    """A published USD parameter in fen at the deployment's rate (a policy value).

    >>> usd_to_fen(500_000, Decimal("7.2"))
    360000000
    """
    rate = _decimal("cny_per_usd", cny_per_usd)
    if rate <= 0:
        raise ValuationError("the CNY per USD rate must be above zero")
    return from_yuan(_decimal("usd", usd) * rate)


# --- Berkus --------------------------------------------------------------------------------


class BerkusFactor(StrEnum):
    SOUND_IDEA = "sound_idea"  # basic value
    PROTOTYPE = "prototype"  # technology risk
    MANAGEMENT_TEAM = "management_team"  # execution risk
    STRATEGIC_RELATIONSHIPS = "strategic_relationships"  # market risk
    PRODUCT_ROLLOUT = "product_rollout"  # production risk (sales)


# Berkus (2016 update), in USD; a deployment converts them with `BerkusCaps.from_usd`.
BERKUS_FACTOR_CAP_USD = 500_000
BERKUS_PRE_REVENUE_CAP_USD = 2_000_000
BERKUS_AFTER_ROLLOUT_CAP_USD = 2_500_000
BERKUS_MIN_YEAR5_REVENUE_USD = 20_000_000


@dataclass(frozen=True)
class BerkusCaps:
    """Berkus limits in fen: from policy data, or the published USD figures at a rate."""

    factor_cap_fen: Fen
    pre_revenue_cap_fen: Fen
    after_rollout_cap_fen: Fen
    min_year5_revenue_fen: Fen

    @classmethod
    def from_usd(cls, cny_per_usd: Decimal) -> "BerkusCaps":
        return cls(
            factor_cap_fen=usd_to_fen(BERKUS_FACTOR_CAP_USD, cny_per_usd),
            pre_revenue_cap_fen=usd_to_fen(BERKUS_PRE_REVENUE_CAP_USD, cny_per_usd),
            after_rollout_cap_fen=usd_to_fen(BERKUS_AFTER_ROLLOUT_CAP_USD, cny_per_usd),
            min_year5_revenue_fen=usd_to_fen(BERKUS_MIN_YEAR5_REVENUE_USD, cny_per_usd),
        )


def berkus(
    *,
    factors: Mapping[BerkusFactor, Fen],
    caps: BerkusCaps,
    year5_revenue_potential_fen: Fen,
    rolled_out: bool = False,
) -> ValuationResult:
    """Σ of up to five factor values, each within its cap; the total within the stage cap.

    A factor left out counts as zero. Berkus only fits a firm that could plausibly reach the
    year-5 revenue threshold, so a lower potential is refused.

    >>> caps = BerkusCaps.from_usd(Decimal(1))
    >>> r = berkus(factors={f: from_yuan(500_000) for f in BerkusFactor}, caps=caps,
    ...            year5_revenue_potential_fen=from_yuan(30_000_000))
    >>> format_yuan(r.value_fen)  # 5 × 500k = 2.5M, capped at 2M before the product is rolled out
    '¥2,000,000.00'
    """
    _fen("year5_revenue_potential_fen", year5_revenue_potential_fen)
    if year5_revenue_potential_fen <= caps.min_year5_revenue_fen:
        raise ValuationError(
            "Berkus applies only to a firm that could reach more than "
            f"{format_yuan(caps.min_year5_revenue_fen)} revenue in year 5; "
            f"this one is put at {format_yuan(year5_revenue_potential_fen)}"
        )
    unknown = set(factors) - set(BerkusFactor)
    if unknown:
        raise ValuationError(f"unknown Berkus factors: {sorted(map(str, unknown))}")
    steps = []
    inputs = {"year5_revenue_potential_fen": str(year5_revenue_potential_fen)}
    total = 0
    for factor in BerkusFactor:
        amount = _fen(f"Berkus factor {factor}", factors.get(factor, 0))
        if amount > caps.factor_cap_fen:
            raise ValuationError(
                f"Berkus factor {factor} is {format_yuan(amount)}, above its cap of "
                f"{format_yuan(caps.factor_cap_fen)}"
            )
        inputs[f"{factor}_fen"] = str(amount)
        note = "" if factor in factors else " (not assessed)"
        steps.append(f"{factor}: {format_yuan(amount)}{note}")
        total += amount
    steps.append(f"Sum of the factors: {format_yuan(total)}")
    cap = caps.after_rollout_cap_fen if rolled_out else caps.pre_revenue_cap_fen
    inputs["rolled_out"] = str(rolled_out)
    if total > cap:
        stage = "after rollout" if rolled_out else "before rollout"
        steps.append(f"Capped at {format_yuan(cap)} {stage}")
        total = cap
    return ValuationResult(Method.BERKUS, total, inputs, tuple(steps))


# --- Payne scorecard -----------------------------------------------------------------------

# Payne (2011): comparison factors and their weights.
PAYNE_WEIGHTS: Mapping[str, Decimal] = {
    "team": Decimal("0.30"),
    "opportunity_size": Decimal("0.25"),
    "product_technology": Decimal("0.15"),
    "competitive_environment": Decimal("0.10"),
    "marketing_sales_partnerships": Decimal("0.10"),
    "need_for_further_investment": Decimal("0.05"),
    "other": Decimal("0.05"),
}


def scorecard(
    *,
    median_pre_money_fen: Fen,
    ratios: Mapping[str, Decimal],
    weights: Mapping[str, Decimal] = PAYNE_WEIGHTS,
) -> ValuationResult:
    """Regional/stage median pre-money × Σ weight × comparison ratio (1.0 = the average peer).

    >>> r = scorecard(median_pre_money_fen=from_yuan(10_000_000),
    ...               ratios={**{k: Decimal(1) for k in PAYNE_WEIGHTS}, "team": Decimal("1.5")})
    >>> format_yuan(r.value_fen)  # 1 + 0.30 × 0.5 = 1.15
    '¥11,500,000.00'
    """
    _fen("median_pre_money_fen", median_pre_money_fen, positive=True)
    ws = {k: _decimal(f"weight {k}", w) for k, w in weights.items()}
    if any(w < 0 for w in ws.values()):
        raise ValuationError("scorecard weights cannot be negative")
    if sum(ws.values()) != 1:
        raise ValuationError(f"scorecard weights add up to {sum(ws.values())}, not 1")
    missing, unknown = set(ws) - set(ratios), set(ratios) - set(ws)
    if missing or unknown:
        raise ValuationError(
            f"scorecard ratios must cover exactly the weighted factors: missing {sorted(missing)},"
            f" unknown {sorted(unknown)}"
        )
    inputs = {"median_pre_money_fen": str(median_pre_money_fen)}
    steps = []
    factor = Decimal(0)
    for k, w in ws.items():
        r = _decimal(f"ratio {k}", ratios[k])
        if r < 0:
            raise ValuationError(f"the comparison ratio for {k} cannot be negative ({r})")
        inputs[f"weight_{k}"], inputs[f"ratio_{k}"] = str(w), str(r)
        steps.append(f"{k}: weight {w} × ratio {r} = {w * r}")
        factor += w * r
    value = apply_ratio(median_pre_money_fen, factor)
    steps.append(
        f"Sum {factor} × median {format_yuan(median_pre_money_fen)} = {format_yuan(value)}"
    )
    return ValuationResult(Method.SCORECARD, value, inputs, tuple(steps))


# --- Risk factor summation -----------------------------------------------------------------


class Risk(StrEnum):
    MANAGEMENT = "management"
    STAGE = "stage"
    LEGISLATION_POLITICAL = "legislation_political"
    MANUFACTURING = "manufacturing"
    SALES_MARKETING = "sales_marketing"
    FUNDING = "funding"
    COMPETITION = "competition"
    TECHNOLOGY = "technology"
    LITIGATION = "litigation"
    INTERNATIONAL = "international"
    REPUTATION = "reputation"
    LUCRATIVE_EXIT = "lucrative_exit"


RFS_STEP_USD = 250_000  # Ohio TechAngels convention (some use 200–300k)


def risk_factor_summation(
    *, base_fen: Fen, step_fen: Fen, scores: Mapping[Risk, int]
) -> ValuationResult:
    """Base pre-money + step × Σ scores, each of the 12 risks scored −2..+2 (left out: 0).

    >>> r = risk_factor_summation(base_fen=from_yuan(2_000_000), step_fen=from_yuan(250_000),
    ...                           scores={Risk.MANAGEMENT: 2, Risk.COMPETITION: -1})
    >>> format_yuan(r.value_fen)
    '¥2,250,000.00'
    """
    _fen("base_fen", base_fen, positive=True)
    _fen("step_fen", step_fen, positive=True)
    unknown = set(scores) - set(Risk)
    if unknown:
        raise ValuationError(f"unknown risks: {sorted(map(str, unknown))}")
    inputs = {"base_fen": str(base_fen), "step_fen": str(step_fen)}
    steps = [f"Base {format_yuan(base_fen)}, {format_yuan(step_fen)} per step"]
    total = 0
    for risk in Risk:
        s = scores.get(risk, 0)
        if isinstance(s, bool) or not isinstance(s, int) or not -2 <= s <= 2:
            raise ValuationError(f"the score for risk {risk} must be a whole number -2..+2: {s!r}")
        inputs[f"score_{risk}"] = str(s)
        total += s
        if s:
            steps.append(f"{risk}: {s:+d} → {format_yuan(s * step_fen)}")
    value = base_fen + total * step_fen
    steps.append(f"{total:+d} steps: {format_yuan(base_fen)} → {format_yuan(value)}")
    if value <= 0:
        raise ValuationError(
            f"the risks ({total:+d} steps of {format_yuan(step_fen)}) exceed the base "
            f"{format_yuan(base_fen)}: this method gives no value for the firm"
        )
    return ValuationResult(Method.RISK_FACTOR_SUMMATION, value, inputs, tuple(steps))


# --- VC method -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VCResult(ValuationResult):
    """The VC method: `value_fen` is the pre-money; the deal figures come with it."""

    terminal_value_fen: Fen
    post_money_fen: Fen
    retention: Decimal
    required_ownership: Decimal
    new_shares: Decimal | None = None
    price_per_share_fen: Decimal | None = None


def vc_method(
    *,
    exit_metric_fen: Fen,
    exit_multiple: Decimal,
    investment_fen: Fen,
    years: Decimal | int = 0,
    target_return: Decimal | None = None,
    target_multiple: Decimal | None = None,
    future_dilutions: Sequence[Decimal] = (),
    shares_before: Decimal | int | None = None,
) -> VCResult:
    """TV = metric × multiple; post = TV·R / M, M = (1 + r)^n or a target multiple; pre = post − I.

    R = Π(1 − d_k) is what today's stake keeps through later rounds, so the required ownership
    F = I / post = I·M / (TV·R). With `shares_before` x: new shares y = x·F/(1 − F), price I/y.

    >>> r = vc_method(exit_metric_fen=from_yuan(100_000_000), exit_multiple=Decimal(3),
    ...               investment_fen=from_yuan(5_000_000), target_multiple=Decimal(10),
    ...               future_dilutions=[Decimal("0.2")], shares_before=1_000_000)
    >>> format_yuan(r.post_money_fen), r.required_ownership.quantize(Decimal("0.0001"))
    ('¥24,000,000.00', Decimal('0.2083'))
    >>> r.new_shares.quantize(Decimal("0.01")), r.price_per_share_fen.quantize(Decimal("0.01"))
    (Decimal('263157.89'), Decimal('1900.00'))
    """
    _fen("exit_metric_fen", exit_metric_fen, positive=True)
    multiple = _decimal("exit_multiple", exit_multiple)
    if multiple <= 0:
        raise ValuationError(f"the exit multiple must be above zero, not {multiple}")
    _fen("investment_fen", investment_fen, positive=True)
    n = _years(years)
    if (target_return is None) == (target_multiple is None):
        raise ValuationError("give either a target return or a target multiple, not both")
    inputs = {
        "exit_metric_fen": str(exit_metric_fen),
        "exit_multiple": str(multiple),
        "investment_fen": str(investment_fen),
    }
    tv = apply_ratio(exit_metric_fen, multiple)
    steps = [f"Exit value {format_yuan(exit_metric_fen)} × {multiple} = {format_yuan(tv)}"]
    if target_return is not None:
        r = _rate("target return", target_return)
        m = _growth(r, n)
        inputs |= {"target_return": str(r), "years": str(n)}
        steps.append(f"Target multiple (1 + {r})^{n} = {m:.4f}")
    else:
        m = _decimal("target_multiple", target_multiple)
        if m <= 0:
            raise ValuationError(f"the target multiple must be above zero, not {m}")
        inputs["target_multiple"] = str(m)
        steps.append(f"Target multiple {m}")
    retention = ONE
    for k, d in enumerate(future_dilutions, start=1):
        d = _decimal(f"dilution of future round {k}", d)
        if not 0 <= d < 1:
            raise ValuationError(f"future round {k} dilutes by {d}; it must be in [0, 1)")
        retention *= ONE - d
        inputs[f"dilution_{k}"] = str(d)
    if future_dilutions:
        steps.append(f"Retention through {len(future_dilutions)} later round(s): {retention}")
    post = round_fen(Decimal(tv) * retention / m)
    steps.append(f"Post-money {format_yuan(tv)} × {retention} / {m:.4f} = {format_yuan(post)}")
    if investment_fen >= post:
        raise TargetUnreachable(
            f"the investment {format_yuan(investment_fen)} is not below the post-money "
            f"{format_yuan(post)}: the target return cannot be met at any price"
        )
    pre = post - investment_fen
    ownership = Decimal(investment_fen) / Decimal(post)
    steps.append(
        f"Pre-money {format_yuan(post)} − {format_yuan(investment_fen)} = {format_yuan(pre)}"
    )
    steps.append(f"Required ownership {ownership:.4%}")
    new_shares = price = None
    if shares_before is not None:
        x = _decimal("shares_before", shares_before)
        if x <= 0:
            raise ValuationError("the shares outstanding before the investment must be above zero")
        new_shares = x * ownership / (ONE - ownership)
        price = Decimal(investment_fen) / new_shares
        inputs["shares_before"] = str(x)
        steps.append(f"New shares {new_shares:.2f} at {price / 100:.4f} yuan each")
    return VCResult(
        Method.VC,
        pre,
        inputs,
        tuple(steps),
        terminal_value_fen=tv,
        post_money_fen=post,
        retention=retention,
        required_ownership=ownership,
        new_shares=new_shares,
        price_per_share_fen=price,
    )


def vc_sensitivity(
    *,
    exit_metric_fen: Fen,
    investment_fen: Fen,
    years: Decimal | int,
    target_returns: Sequence[Decimal],
    exit_multiples: Sequence[Decimal],
    future_dilutions: Sequence[Decimal] = (),
) -> dict[tuple[Decimal, Decimal], Fen | None]:
    """Pre-money for each (target return, exit multiple) pair, for the sensitivity table.

    None marks a pair where the target cannot be met at any price: "not computed", never zero.

    >>> grid = vc_sensitivity(exit_metric_fen=100, investment_fen=10, years=1,
    ...     target_returns=[Decimal(0), Decimal(1)], exit_multiples=[Decimal(1), Decimal("0.1")])
    >>> grid[0, 1], grid[1, 1], grid[0, Decimal("0.1")]
    (90, 40, None)
    """
    grid: dict[tuple[Decimal, Decimal], Fen | None] = {}
    for r in target_returns:
        for m in exit_multiples:
            try:
                grid[(r, m)] = vc_method(
                    exit_metric_fen=exit_metric_fen,
                    exit_multiple=m,
                    investment_fen=investment_fen,
                    years=years,
                    target_return=r,
                    future_dilutions=future_dilutions,
                ).value_fen
            except TargetUnreachable:
                grid[(r, m)] = None
    return grid


# --- First Chicago -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One First Chicago scenario: its probability and its value `years` from now."""

    name: str
    probability: Decimal
    value_fen: Fen
    years: Decimal | int = 0


def first_chicago(*, scenarios: Sequence[Scenario], discount_rate: Decimal) -> ValuationResult:
    """Σ p_s · V_s / (1 + r)^n_s; probabilities add up to exactly 1.

    The failure risk sits in the scenarios, so `discount_rate` is the cost of capital, lower
    than a VC target return. The sum is exact and rounded once.

    >>> r = first_chicago(discount_rate=Decimal(0), scenarios=[
    ...     Scenario("success", Decimal("0.25"), from_yuan(80_000_000)),
    ...     Scenario("sideways", Decimal("0.5"), from_yuan(20_000_000)),
    ...     Scenario("failure", Decimal("0.25"), 0)])
    >>> format_yuan(r.value_fen)
    '¥30,000,000.00'
    """
    rate = _rate("discount rate", discount_rate)
    if not scenarios:
        raise ValuationError("First Chicago needs at least one scenario")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValuationError(f"scenario names repeat: {names}")
    inputs = {"discount_rate": str(rate)}
    steps = []
    total_p = Decimal(0)
    exact = Decimal(0)
    for s in scenarios:
        p = _decimal(f"probability of {s.name}", s.probability)
        if not 0 <= p <= 1:
            raise ValuationError(f"the probability of {s.name} is {p}; it must be in [0, 1]")
        _fen(f"value of {s.name}", s.value_fen)
        n = _years(s.years)
        pv = Decimal(s.value_fen) / _growth(rate, n)
        total_p += p
        exact += p * pv
        inputs |= {
            f"{s.name}_probability": str(p),
            f"{s.name}_value_fen": str(s.value_fen),
            f"{s.name}_years": str(n),
        }
        steps.append(
            f"{s.name}: {p} × {format_yuan(s.value_fen)} / (1 + {rate})^{n} = "
            f"{format_yuan(round_fen(p * pv))}"
        )
    if total_p != 1:
        raise ValuationError(f"scenario probabilities add up to {total_p}, not 1")
    value = round_fen(exact)
    steps.append(f"Probability-weighted value: {format_yuan(value)}")
    return ValuationResult(Method.FIRST_CHICAGO, value, inputs, tuple(steps))


# --- Latest round --------------------------------------------------------------------------


@dataclass(frozen=True)
class LatestRoundResult(ValuationResult):
    months_since_round: int
    stale: bool


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (2025-01-31 → 2025-02-28 is 0 months)."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def latest_round(
    *,
    price_per_share_yuan: Decimal,
    fully_diluted_shares: Decimal | int,
    round_date: dt.date,
    as_of: dt.date,
    max_age_months: int = 12,
    adjustment: Decimal = ONE,
    adjustment_reason: str = "",
) -> LatestRoundResult:
    """Price per share × fully-diluted shares, × an adjustment for time and milestones (AMAC).

    A round older than `max_age_months` (a policy value [P]) is flagged stale, not refused.

    >>> r = latest_round(price_per_share_yuan=Decimal("2.50"), fully_diluted_shares=10_000_000,
    ...                  round_date=dt.date(2025, 3, 1), as_of=dt.date(2026, 6, 1))
    >>> format_yuan(r.value_fen), r.months_since_round, r.stale
    ('¥25,000,000.00', 15, True)
    """
    price = _decimal("price per share", price_per_share_yuan)
    if price <= 0:
        raise ValuationError(f"the price per share must be above zero, not {price}")
    shares = _decimal("fully-diluted shares", fully_diluted_shares)
    if shares <= 0:
        raise ValuationError("the fully-diluted share count must be above zero")
    if round_date > as_of:
        raise ValuationError(f"the round ({round_date}) is after the valuation date ({as_of})")
    factor = _decimal("adjustment", adjustment)
    if factor <= 0:
        raise ValuationError(f"the adjustment factor must be above zero, not {factor}")
    if factor != 1 and not adjustment_reason.strip():
        raise ValuationError("an adjustment to the round price needs a reason")
    if max_age_months < 0:
        raise ValuationError(f"the staleness limit cannot be negative ({max_age_months} months)")
    months = months_between(round_date, as_of)
    stale = months > max_age_months
    value = round_fen(price * 100 * shares * factor)
    inputs = {
        "price_per_share_yuan": str(price),
        "fully_diluted_shares": str(shares),
        "round_date": round_date.isoformat(),
        "as_of": as_of.isoformat(),
        "adjustment": str(factor),
        "adjustment_reason": adjustment_reason,
    }
    steps = [f"{price} yuan × {shares} fully-diluted shares"]
    if factor != 1:
        steps.append(f"× {factor} for {adjustment_reason.strip()}")
    steps.append(f"= {format_yuan(value)}")
    steps.append(
        f"Round is {months} months old"
        + (f": stale (over {max_age_months}), needs review" if stale else "")
    )
    return LatestRoundResult(
        Method.LATEST_ROUND, value, inputs, tuple(steps), months_since_round=months, stale=stale
    )


# --- Market multiples ----------------------------------------------------------------------


@dataclass(frozen=True)
class MarketMultiplesResult(ValuationResult):
    """`value_fen` at the median multiple; `low_fen`/`high_fen` at the lowest/highest."""

    median_multiple: Decimal
    low_fen: Fen
    high_fen: Fen


def market_multiples(
    *, metric_fen: Fen, metric_name: str, comparables: Mapping[str, Decimal]
) -> MarketMultiplesResult:
    """The firm's metric (revenue, EBITDA, …) × the comparables' median multiple, and range.

    >>> r = market_multiples(metric_fen=from_yuan(10_000_000), metric_name="revenue",
    ...     comparables={"A": Decimal(2), "B": Decimal(3), "C": Decimal(5)})
    >>> format_yuan(r.value_fen), format_yuan(r.low_fen), format_yuan(r.high_fen)
    ('¥30,000,000.00', '¥20,000,000.00', '¥50,000,000.00')
    """
    _fen(f"the firm's {metric_name}", metric_fen, positive=True)
    if not comparables:
        raise ValuationError("market multiples need at least one comparable firm")
    multiples = {}
    for name, m in comparables.items():
        multiples[name] = _decimal(f"multiple of {name}", m)
        if multiples[name] < 0:
            raise ValuationError(f"the multiple of {name} is negative ({m})")
    mid = median(sorted(multiples.values()))
    low, high = min(multiples.values()), max(multiples.values())
    value = apply_ratio(metric_fen, mid)
    inputs = {"metric_fen": str(metric_fen), "metric_name": metric_name}
    inputs |= {f"multiple_{k}": str(v) for k, v in multiples.items()}
    steps = [
        f"{len(multiples)} comparables, {metric_name} multiples {low}–{high}, median {mid}",
        f"{metric_name} {format_yuan(metric_fen)} × {mid} = {format_yuan(value)}",
    ]
    return MarketMultiplesResult(
        Method.MARKET_MULTIPLES,
        value,
        inputs,
        tuple(steps),
        median_multiple=mid,
        low_fen=apply_ratio(metric_fen, low),
        high_fen=apply_ratio(metric_fen, high),
    )


# --- Reconciliation and price flags --------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    """The range over the methods computed, the chosen point and why; missing methods listed."""

    low_fen: Fen
    high_fen: Fen
    point_fen: Fen
    rationale: str
    values: dict[Method, Fen]
    not_computed: dict[Method, str] = field(default_factory=dict)
    spread: Decimal = Decimal(0)
    spread_is_wide: bool = False


def reconcile(
    results: Sequence[ValuationResult],
    *,
    rationale: str,
    weights: Mapping[Method, Decimal] | None = None,
    chosen_fen: Fen | None = None,
    not_computed: Mapping[Method, str] | None = None,
    wide_spread: Decimal = ONE,
) -> Reconciliation:
    """Range = lowest..highest method value; point = the weighted mean, or a chosen amount.

    `spread` = (high − low) / low; above `wide_spread` (a policy value [P]) the inputs need review.

    >>> a = ValuationResult(Method.BERKUS, 100, {}, ())
    >>> b = ValuationResult(Method.SCORECARD, 300, {}, ())
    >>> rec = reconcile([a, b], weights={Method.BERKUS: Decimal("0.5"),
    ...                                  Method.SCORECARD: Decimal("0.5")}, rationale="equal")
    >>> rec.low_fen, rec.high_fen, rec.point_fen, rec.spread, rec.spread_is_wide
    (100, 300, 200, Decimal('2'), True)
    """
    if not rationale.strip():
        raise ValuationError("the chosen point needs a rationale")
    if not results:
        raise ValuationError("reconciliation needs at least one computed method")
    values = {r.method: r.value_fen for r in results}
    if len(values) != len(results):
        raise ValuationError("each method may appear only once in a reconciliation")
    low, high = min(values.values()), max(values.values())
    if (weights is None) == (chosen_fen is None):
        raise ValuationError("give either method weights or a chosen amount, not both")
    if weights is not None:
        ws = {m: _decimal(f"weight of {m}", w) for m, w in weights.items()}
        if set(ws) != set(values):
            raise ValuationError(
                f"weights must cover exactly the computed methods {sorted(values)}"
            )
        if any(w < 0 for w in ws.values()):
            raise ValuationError("method weights cannot be negative")
        if sum(ws.values()) != 1:
            raise ValuationError(f"method weights add up to {sum(ws.values())}, not 1")
        point = round_fen(sum((w * values[m] for m, w in ws.items()), Decimal(0)))
    else:
        point = _fen("chosen amount", chosen_fen)
        if not low <= point <= high:
            raise ValuationError(
                f"the chosen {format_yuan(point)} is outside the range "
                f"{format_yuan(low)}–{format_yuan(high)}"
            )
    spread = _relative(high - low, low)
    return Reconciliation(
        low_fen=low,
        high_fen=high,
        point_fen=point,
        rationale=rationale.strip(),
        values=values,
        not_computed=dict(not_computed or {}),
        spread=spread,
        spread_is_wide=spread > wide_spread,
    )


class PricePosition(StrEnum):
    WITHIN = "within"
    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True)
class PriceCheck:
    """Where a proposed price sits against the range, and by how much it misses it."""

    position: PricePosition
    distance_fen: Fen  # 0 within the range, otherwise to the nearest end
    distance_ratio: Decimal  # distance ÷ the nearest end


def check_price(price_fen: Fen, *, low_fen: Fen, high_fen: Fen) -> PriceCheck:
    """Flag a proposed price above or below the range (reference §4.3).

    >>> c = check_price(360, low_fen=100, high_fen=300)
    >>> c.position.value, c.distance_fen, c.distance_ratio
    ('above', 60, Decimal('0.2'))
    """
    _fen("price", price_fen)
    _fen("the range's low end", low_fen)
    if low_fen > high_fen:
        raise ValuationError("the range's low end is above its high end")
    if price_fen > high_fen:
        d = price_fen - high_fen
        return PriceCheck(PricePosition.ABOVE, d, _relative(d, high_fen))
    if price_fen < low_fen:
        d = low_fen - price_fen
        return PriceCheck(PricePosition.BELOW, d, _relative(d, low_fen))
    return PriceCheck(PricePosition.WITHIN, 0, Decimal(0))


# --- State-owned assets (12号令, 32号令) -----------------------------------------------------

APPROVAL_THRESHOLD = Decimal("0.9")  # 32号令: below 90% of the assessed value on re-listing


class StateAssetOutcome(StrEnum):
    OK = "ok"
    NEEDS_APPROVAL = "needs_approval"
    REFUSED = "refused"


@dataclass(frozen=True)
class StateAssetCheck:
    outcome: StateAssetOutcome
    reasons: tuple[str, ...]
    stale: bool
    floor_fen: Fen  # the assessed value: the floor on a first listing
    approval_below_fen: Fen  # re-listing prices below this need written approval


def assessment_expires(base_date: dt.date) -> dt.date:
    """Last day an assessment is valid: one year from its base date (12号令 [M]).

    >>> assessment_expires(dt.date(2024, 2, 29))
    datetime.date(2025, 2, 28)
    """
    try:
        return base_date.replace(year=base_date.year + 1)
    except ValueError:  # 29 February: the year ends on the 28th, never later
        return base_date.replace(year=base_date.year + 1, day=28)


def check_state_transfer(
    *,
    price_fen: Fen,
    assessed_value_fen: Fen,
    assessment_base_date: dt.date,
    as_of: dt.date,
    relisted: bool = False,
    written_approval_ref: str = "",
) -> StateAssetCheck:
    """What a state-owned transfer at `price_fen` requires (32号令; validity per 12号令 [M]).

    - the assessment is older than one year → refused until a fresh one is attached;
    - a first listing below the assessed value → refused (the floor);
    - a re-listing below 90% of it → needs a written approval, ok once its reference is recorded.

    >>> check_state_transfer(price_fen=85, assessed_value_fen=100, relisted=True,
    ...     assessment_base_date=dt.date(2026, 1, 1), as_of=dt.date(2026, 6, 1)).outcome
    <StateAssetOutcome.NEEDS_APPROVAL: 'needs_approval'>
    """
    _fen("price", price_fen)
    _fen("assessed value", assessed_value_fen, positive=True)
    if assessment_base_date > as_of:
        raise ValuationError(
            f"the assessment base date {assessment_base_date} is after the check date {as_of}"
        )
    # Compared exactly: a price a fraction of a fen under 90% is under 90%.
    below_90 = price_fen < APPROVAL_THRESHOLD * assessed_value_fen
    threshold = int((APPROVAL_THRESHOLD * assessed_value_fen).to_integral_value(ROUND_CEILING))
    stale = as_of > assessment_expires(assessment_base_date)
    reasons = []
    outcome = StateAssetOutcome.OK
    if stale:
        outcome = StateAssetOutcome.REFUSED
        reasons.append(
            f"the assessment of {assessment_base_date} expired on "
            f"{assessment_expires(assessment_base_date)}: attach a new assessment"
        )
    if price_fen < assessed_value_fen and not relisted:
        outcome = StateAssetOutcome.REFUSED
        reasons.append(
            f"{format_yuan(price_fen)} is below the assessed value "
            f"{format_yuan(assessed_value_fen)} (32号令 floor)"
        )
    elif price_fen < assessed_value_fen and not below_90:
        reasons.append("re-listed below the assessed value but not below 90% of it")
    elif below_90:
        if written_approval_ref.strip():
            reasons.append(f"below 90% of the assessed value, approved: {written_approval_ref}")
        else:
            if outcome is StateAssetOutcome.OK:
                outcome = StateAssetOutcome.NEEDS_APPROVAL
            reasons.append(
                f"{format_yuan(price_fen)} is below 90% of the assessed value "
                f"({format_yuan(threshold)}): needs written approval from the approving body"
            )
    if not reasons:
        reasons.append("at or above the floor, assessment current")
    return StateAssetCheck(outcome, tuple(reasons), stale, assessed_value_fen, threshold)
