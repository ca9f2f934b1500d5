"""科企梯度贷 policy as the lending app uses it: each tier's terms and eligibility, the sharing
rule of a claim, the servicing thresholds — read from `policy/tiered_loan.yaml` on a date, each
with the parameter versions a decision stores.

Eligibility: a tier is open to a firm when all its required certifications are valid on the date
and at least one of its qualifying certifications is (or none is asked), or else the firm's
latest evaluation on the tier's rule set scores at least the tier's minimum. The firm's tier is
the highest tier open to it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from patientcap.domain.loans import DayCount, Thresholds, parse_order
from patientcap.domain.messages import Invalid, gettext_noop
from patientcap.domain.policy import InForce, NotInForce, PolicySet
from patientcap.domain.risk_sharing import LossBasis, Party, RiskSharingError, SharingRule
from patientcap.enterprises.models import Certification, CertificationKind
from patientcap.lending.models import TIER_ORDER, Tier
from patientcap.policy.registry import policy


@lru_cache(maxsize=4096)
def _value_at(policies: PolicySet, name: str, on: dt.date) -> InForce:
    return policies.value_at(name, on)


class PolicyRefusal(Invalid):
    """A decision the programme's policy does not allow; nothing was written."""


@dataclass
class Versions:
    """The parameters read for one decision, by name, with their versions."""

    used: dict[str, str] = field(default_factory=dict)
    policies: PolicySet = field(default_factory=policy)

    def get(self, name: str, on: dt.date) -> InForce:
        try:
            found = _value_at(self.policies, name, on)
        except NotInForce as exc:
            raise PolicyRefusal(
                gettext_noop("The programme's rule %(name)s is not in force on %(date)s."),
                {"name": name, "date": on.isoformat()},
            ) from exc
        self.used[name] = found.version
        return found


@dataclass(frozen=True)
class TierTerms:
    tier: str
    max_amount_fen: int
    rate_cap: Decimal
    max_tenor_months: int
    guarantee_fee_cap_percent: Decimal


def tier_terms(tier: str, on: dt.date, versions: Versions) -> TierTerms:
    prefix = f"tiered_loan.tier.{tier}"
    ceiling = versions.get(f"{prefix}.max_amount", on).value
    top = versions.get("tiered_loan.max_amount", on).value
    assert isinstance(ceiling, int) and isinstance(top, int)
    lpr = versions.get("tiered_loan.lpr_1y", on).value
    spread = versions.get(f"{prefix}.rate_cap_spread", on).as_ratio()
    tenor = versions.get(f"{prefix}.max_tenor", on).value
    fee = versions.get(f"{prefix}.guarantee_fee_cap", on).value
    assert isinstance(lpr, Decimal) and isinstance(tenor, int) and isinstance(fee, Decimal)
    return TierTerms(tier, min(ceiling, top), lpr + spread, tenor, fee)


def _kinds(text: Any) -> list[str]:
    words = [w.strip() for w in str(text).split(",") if w.strip()]
    return [] if words == ["none"] else words


def latest_score(enterprise_id: int, ruleset_id: str) -> Decimal | None:
    """The firm's latest evaluation score on a rule set (the evaluation app's selector)."""
    from patientcap.evaluation.selectors import latest_evaluation

    found = latest_evaluation(enterprise_id, ruleset_id)
    if found is None:
        return None
    return Decimal(str(found.total))


def tier_open(enterprise_id: int, tier: str, on: dt.date, versions: Versions) -> str | None:
    """Why the firm qualifies for `tier` on `on` (a short basis for the record), or None."""
    prefix = f"tiered_loan.tier.{tier}"
    valid = set(
        Certification.objects.filter(
            enterprise_id=enterprise_id, valid_from__lte=on, valid_to__gte=on
        ).values_list("kind", flat=True)
    )
    required = _kinds(versions.get(f"{prefix}.required_certifications", on).value)
    if not set(required) <= valid:
        return None
    qualifying = _kinds(versions.get(f"{prefix}.qualifying_certifications", on).value)
    names = [str(CertificationKind(k).label) for k in required if k in CertificationKind.values]
    if not qualifying:
        return " + ".join(names) or str(Tier(tier).label)
    held = [k for k in qualifying if k in valid]
    if held:
        return " + ".join([*names, str(CertificationKind(held[0]).label)])
    minimum = versions.get(f"{prefix}.min_score", on).value
    ruleset = str(versions.get(f"{prefix}.evaluation_ruleset", on).value)
    assert isinstance(minimum, Decimal)
    if minimum > 0:
        score = latest_score(enterprise_id, ruleset)
        if score is not None and score >= minimum:
            return " + ".join([*names, f"{ruleset} {score}"])
    return None


def firm_tier(enterprise_id: int, on: dt.date, versions: Versions) -> tuple[str, str] | None:
    """The highest tier open to the firm on `on`, with its basis; None when none is."""
    for tier in reversed(TIER_ORDER):
        basis = tier_open(enterprise_id, tier, on, versions)
        if basis is not None:
            return tier, basis
    return None


def sharing_rule(on: dt.date, versions: Versions) -> SharingRule:
    """The claim's sharing rule in force on `on`: bank 2 of 8:2, the guarantor's 8 split between
    the pool and the guarantor, with the pool's caps."""
    bank = versions.get("tiered_loan.risk_share.bank", on).value
    guarantor = versions.get("tiered_loan.risk_share.guarantor", on).value
    pool_part = versions.get("tiered_loan.risk_share.pool_part_of_guarantor", on).value
    assert isinstance(bank, Decimal) and isinstance(guarantor, Decimal)
    assert isinstance(pool_part, Decimal)
    basis = str(versions.get("tiered_loan.claim.loss_basis", on).value)
    days = versions.get("tiered_loan.claim.interest_days", on).value
    per_loan = versions.get("tiered_loan.cap.pool_per_loan", on).value
    per_year = versions.get("tiered_loan.cap.pool_per_year", on).value
    cap_rate = versions.get("tiered_loan.cap.pool_portfolio_rate", on).value
    assert isinstance(days, int) and isinstance(per_loan, int) and isinstance(per_year, int)
    assert isinstance(cap_rate, Decimal)
    return make_rule(
        shares={
            "pool": guarantor * pool_part,
            "guarantor": guarantor * (1 - pool_part),
            "bank": bank,
        },
        basis=basis,
        interest_days=days,
        pool_per_loan_cap_fen=per_loan,
        pool_annual_cap_fen=per_year,
        portfolio_cap_rate=cap_rate,
    )


def make_rule(
    *,
    shares: dict[str, Decimal],
    basis: str,
    interest_days: int,
    pool_per_loan_cap_fen: int | None,
    pool_annual_cap_fen: int | None,
    portfolio_cap_rate: Decimal | None,
) -> SharingRule:
    """The domain rule from the parameters; shares that do not add to 100% are refused."""
    total = sum(shares.values(), Decimal(0))
    if total != 1:
        raise PolicyRefusal(
            gettext_noop(
                "The risk shares add up to %(total)s%%, not 100%%: pool %(pool)s, guarantor "
                "%(guarantor)s, bank %(bank)s. No claim can be shared until the policy is fixed."
            ),
            {
                "total": f"{(total * 100).normalize():f}",
                "pool": shares.get("pool"),
                "guarantor": shares.get("guarantor"),
                "bank": shares.get("bank"),
            },
        )
    try:
        return SharingRule(
            parties=(
                Party("pool", shares["pool"], pool_per_loan_cap_fen, pool_annual_cap_fen),
                Party("guarantor", shares["guarantor"]),
                Party("bank", shares["bank"]),
            ),
            residual="bank",
            basis=LossBasis(basis),
            interest_days=interest_days,
            pool="pool",
            portfolio_cap_rate=portfolio_cap_rate,
        )
    except (RiskSharingError, ValueError) as exc:
        raise PolicyRefusal(
            gettext_noop("The sharing rule cannot be used: %(error)s"), {"error": str(exc)}
        ) from exc


def breaker_threshold(on: dt.date, versions: Versions) -> Decimal:
    value = versions.get("tiered_loan.circuit_breaker.npl_ratio", on).value
    assert isinstance(value, Decimal)
    return value


def claim_trigger_days(on: dt.date, versions: Versions) -> int:
    value = versions.get("tiered_loan.claim.trigger_days", on).value
    assert isinstance(value, int)
    return value


def thresholds(on: dt.date, versions: Versions) -> Thresholds:
    days = [
        versions.get(f"tiered_loan.classification.{c}", on).value
        for c in ("special_mention", "substandard", "doubtful", "loss")
    ]
    assert all(isinstance(d, int) for d in days)
    return Thresholds(*days)  # type: ignore[arg-type]


def penalty_markup(on: dt.date, versions: Versions) -> Decimal:
    return versions.get("tiered_loan.penalty_markup", on).as_ratio()


def repayment_order(on: dt.date, versions: Versions) -> tuple[str, ...]:
    return parse_order(str(versions.get("tiered_loan.repayment_order", on).value))


def day_count(on: dt.date, versions: Versions) -> DayCount:
    return DayCount(str(versions.get("tiered_loan.day_count", on).value))


def maturity_warning_days(on: dt.date, versions: Versions) -> int:
    value = versions.get("tiered_loan.early_warning.maturity_days", on).value
    assert isinstance(value, int)
    return value


def explain(exc: Invalid) -> str:
    """The refusal in the reader's language, values filled in."""
    params = {k: _(v) if isinstance(v, str) and v else v for k, v in exc.message.params.items()}
    return _(exc.message.template) % params
