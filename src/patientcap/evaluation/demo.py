"""The evaluations of the demo zone: the whole registry scored on the tech credit card last year
and this year (so the stability page has two populations) and on the tech-SME evaluation this
year, through the batch path; two grade overrides proposed by the zone officer and approved by
the reviewer; and one open objection by the demo firm to its tech-card evaluation.

Deterministic for the zone's date and registry (it draws nothing from the zone's random
generator); works with a registry of any size.
"""

import datetime as dt

from patientcap.approvals import services as approvals
from patientcap.approvals.models import Proposal
from patientcap.core.demo import DemoZone
from patientcap.evaluation import services
from patientcap.evaluation.models import Evaluation

CARD, SME = "tech-credit-card", "tech-sme-evaluation"
OVERRIDES = (1, -1)  # grades to move: one grade worse, then one better
REASONS = {
    1: "法定代表人涉诉，待诉讼结果明确前下调一档。",
    -1: "核心专利已于评价后授权，经复核上调一档。",
}


def build(zone: DemoZone) -> dict[str, int]:
    officer, reviewer = zone.users["zone"], zone.users["reviewer"]
    last_year = zone.as_of - dt.timedelta(days=365)
    services.score_registry(actor=officer, ruleset_id=CARD, as_of=last_year, address="")
    card = services.score_registry(actor=officer, ruleset_id=CARD, as_of=zone.as_of, address="")
    services.score_registry(actor=officer, ruleset_id=SME, as_of=zone.as_of, address="")
    # Two firms a third and two thirds down the registry: picked without the zone's random
    # generator, so that the demos built after this one draw exactly what they would without it.
    others = zone.firms[1:]
    chosen = sorted({others[len(others) * (n + 1) // 3].pk for n in range(2)} if others else ())
    overridden = 0
    grades = [g.grade for g in services.ruleset_of(card.evaluations.all()[0]).grades]
    for firm_id, step in zip(chosen, OVERRIDES, strict=False):
        ev = Evaluation.objects.get(batch=card, enterprise_id=firm_id)
        if not 0 <= grades.index(ev.grade) + step < len(grades):
            step = -step  # already at the end: move the other way
        done = services.override_evaluation(
            actor=officer,
            evaluation_id=ev.pk,
            grade=grades[grades.index(ev.grade) + step],
            reason=REASONS[step],
        )
        if isinstance(done, Proposal):
            approvals.approve(proposal=done, by=reviewer, comment="同意。")
        overridden += 1
    own = Evaluation.objects.get(batch=card, enterprise_id=zone.firms[0].pk)
    services.raise_objection(
        actor=zone.users["firm"],
        evaluation_id=own.pk,
        reason="评价所用的2024年研发费用未包含委托外部研发支出，研发投入强度被低估。",
        evidence="2024年度研发费用专项审计报告（渝信会审〔2025〕118号）第3页。",
        received_on=zone.as_of - dt.timedelta(days=3),
    )
    return {
        "evaluations": Evaluation.objects.count(),
        "evaluation overrides": overridden,
        "objections": 1,
    }
