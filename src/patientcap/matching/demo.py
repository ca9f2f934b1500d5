"""The demo's matched-credit files (双融领创通, piloted from 2025-12-05): the demo firm's
¥2,000,000 matched 1:1 to its invest-first money and disbursed by the first bank within the
deadline, and files of other invested firms at both banks in every state — disbursed on time and
late, rejected, referred back, approved, a decision waiting for the bank's checker, paused
awaiting documents, one overdue, one just submitted.

Only firms that the investments and angel-fund demos invested in take part (a firm without a
qualifying investment is skipped, never forced). Each bank gets a second officer, the checker of
its decisions. Every step goes through the real services and approvals.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction

from patientcap.accounts.models import User
from patientcap.approvals import services as approvals
from patientcap.core.demo import DEMO_PASSWORD, DemoZone
from patientcap.domain.calendar import WorkingCalendar
from patientcap.matching import services
from patientcap.matching.models import Application
from patientcap.policy.calendar import working_calendar

PILOT = dt.date(2025, 12, 5)
FIRM_CREDIT_FEN = 200_000_000  # ¥2,000,000, matching the demo firm's invest-first money 1:1
CHECKERS = {"bank": ("bank_checker", "吴海宁"), "bank2": ("bank2_checker", "黄书言")}
PURPOSES = ["研发投入流动资金", "中试线设备采购", "订单备货周转", "新产品量产", "市场拓展"]
DOCUMENTS = ["2025年度审计报告", "近六个月银行流水", "纳税证明", "主要客户合同", "知识产权证书"]
REASONS = [["cash_flow"], ["repayment_capacity", "documents"], ["concentration"]]


def build(zone: DemoZone) -> dict[str, int]:
    cal = working_calendar()
    demo = _Demo(zone, cal, _checkers(zone))
    demo.firm_file()
    demo.other_files()
    return {"matched_credit_files": Application.objects.count()}


def _checkers(zone: DemoZone) -> dict[str, User]:
    out = {}
    for officer, (username, name) in CHECKERS.items():
        user = User(
            username=username,
            role=zone.users[officer].role,
            organisation=zone.users[officer].organisation,
            last_name=name[0],
            first_name=name[1:],
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        out[officer] = user
    return out


class _Demo:
    def __init__(self, zone: DemoZone, cal: WorkingCalendar, checkers: dict[str, User]) -> None:
        self.zone, self.cal, self.checkers = zone, cal, checkers
        self.as_of = zone.as_of

    # --- dates -------------------------------------------------------------------------------
    def later(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_working_days(day, n)

    def back(self, n: int) -> dt.date:
        """The working day n working days before as_of."""
        day = self.as_of
        while self.cal.working_days_between(day, self.as_of) < n or not self.cal.is_working_day(
            day
        ):
            day -= dt.timedelta(days=1)
        return day

    def first_day_with_limit(self, firm_id: int, at_least: int = 1) -> dt.date | None:
        """The first Monday-ish date since the pilot on which the firm's limit reaches
        `at_least` fen, looking week by week."""
        day = PILOT
        while day <= self.as_of:
            limit, _ = services.limit_for(firm_id, day)
            if limit.total_fen >= at_least:
                return day
            day += dt.timedelta(days=7)
        return None

    def bank_id(self, officer: str) -> int:
        org = self.zone.users[officer].organisation
        assert org is not None  # demo bank officers belong to their bank
        return org.pk

    # --- steps -------------------------------------------------------------------------------
    def apply(self, firm: Any, officer: str, amount: int, on: dt.date, by: User) -> Application:
        return services.apply(
            actor=by,
            enterprise_id=firm.pk,
            bank_id=self.bank_id(officer),
            amount_fen=amount,
            purpose=self.zone.rng.choice(PURPOSES),
            on=on,
        )

    def dd(self, app: Application, on: dt.date) -> None:
        services.complete_due_diligence(
            actor=self.zone.users["zone"],
            application_id=app.pk,
            summary="管委会尽调报告、投资协议及评价结果已移交银行。",
            on=on,
        )

    def pause(self, app: Application, officer: str, on: dt.date, until: dt.date | None) -> None:
        bank = self.zone.users[officer]
        services.pause(
            actor=bank, application_id=app.pk, documents=self.zone.rng.choice(DOCUMENTS), on=on
        )
        if until is not None:
            services.resume(actor=bank, application_id=app.pk, on=until, note="资料已补齐")

    def propose(self, action: str, officer: str, payload: dict, approve: bool = True) -> None:
        p = approvals.propose(
            action=action, payload=payload, reason="按授信审批流程提交", by=self.zone.users[officer]
        )
        if approve:
            approvals.approve(proposal=p, by=self.checkers[officer], comment="复核同意")

    def decide(self, app: Application, officer: str, on: dt.date, approve: bool = True,
               **payload: Any) -> None:  # fmt: skip
        body = {"application_id": app.pk, "decision": "approve", "amount_fen": app.requested_fen,
                "on": on.isoformat(), "note": "同意按配套比例授信"} | payload  # fmt: skip
        self.propose("matching.decide", officer, body, approve)

    def disburse(self, app: Application, officer: str, on: dt.date) -> None:
        body = {"application_id": app.pk, "amount_fen": app.requested_fen, "on": on.isoformat(),
                "loan_reference": f"PKDK-{on:%Y%m%d}-{app.pk:04d}"}  # fmt: skip
        self.propose("matching.disburse", officer, body)

    # --- the files ---------------------------------------------------------------------------
    def firm_file(self) -> None:
        """The demo firm: ¥2,000,000 by the first bank, disbursed in 5 working days."""
        firm = self.zone.firms[0]
        start = self.first_day_with_limit(firm.pk, FIRM_CREDIT_FEN)
        if start is None or self.later(start, 9) > self.as_of:
            return
        app = self.apply(firm, "bank", FIRM_CREDIT_FEN, start, self.zone.users["firm"])
        dd = self.later(start, 2)
        self.dd(app, dd)
        self.decide(app, "bank", self.later(dd, 3))
        self.disburse(app, "bank", self.later(dd, 5))

    def other_files(self) -> None:
        plan: list[tuple[Callable[[Application, str, dt.date], None], str]] = [
            (self.disbursed_on_time, "bank"),
            (self.decision_waiting, "bank2"),
            (self.overdue, "bank"),
            (self.disbursed_after_a_pause, "bank2"),
            (self.paused_now, "bank"),
            (self.rejected, "bank2"),
            (self.approved, "bank"),
            (self.referred, "bank2"),
            (self.on_track, "bank"),
            (self.disbursed_late, "bank2"),
            (self.submitted, "bank"),
            (self.paused_now, "bank2"),
            (self.disbursed_after_a_pause, "bank"),
            (self.disbursed_on_time, "bank2"),
            (self.rejected, "bank"),
            (self.on_track, "bank2"),
        ]
        firms = (f for f in self.zone.firms[1:] if self.eligible_now(f.pk))  # lazily: few needed
        for firm, (scenario, officer) in zip(firms, plan, strict=False):
            closed = scenario in (
                self.disbursed_on_time, self.rejected, self.disbursed_after_a_pause,
                self.disbursed_late, self.referred,
            )  # fmt: skip
            start = self.back(14)
            first = self.first_day_with_limit(firm.pk) if closed else None
            if first is not None:
                spread = first + dt.timedelta(weeks=self.zone.rng.randint(0, 30))
                start = max(first, min(spread, self.as_of - dt.timedelta(days=45)))
            limit, _ = services.limit_for(firm.pk, start)
            if not limit.qualifies or (closed and self.later(start, 20) > self.as_of):
                continue
            share = self.zone.rng.choice([4, 5, 6, 8, 10])
            amount = max(limit.total_fen * share // 10 // 10_000_00 * 10_000_00, 10_000_00)
            try:
                with transaction.atomic():
                    app = self.apply(firm, officer, min(amount, limit.total_fen), start,
                                     self.zone.users["zone"])  # fmt: skip
                    scenario(app, officer, start)
            except (services.Refused, approvals.ProposalRefused):
                continue  # e.g. a deadline in a year the calendar does not cover yet: skip it

    def eligible_now(self, firm_id: int) -> bool:
        limit, _ = services.limit_for(firm_id, self.as_of)
        return limit.qualifies

    def disbursed_on_time(self, app: Application, officer: str, start: dt.date) -> None:
        dd = self.later(start, 2)
        self.dd(app, dd)
        self.decide(app, officer, self.later(dd, 4))
        self.disburse(app, officer, self.later(dd, 6))

    def disbursed_after_a_pause(self, app: Application, officer: str, start: dt.date) -> None:
        dd = self.later(start, 1)
        self.dd(app, dd)
        self.pause(app, officer, self.later(dd, 2), self.later(dd, 5))
        self.decide(app, officer, self.later(dd, 7))
        self.disburse(app, officer, self.later(dd, 9))  # 9 - 3 paused = 6 working days

    def disbursed_late(self, app: Application, officer: str, start: dt.date) -> None:
        dd = self.later(start, 2)
        self.dd(app, dd)
        self.decide(app, officer, self.later(dd, 6))
        self.disburse(app, officer, self.later(dd, 10))

    def rejected(self, app: Application, officer: str, start: dt.date) -> None:
        dd = self.later(start, 2)
        self.dd(app, dd)
        reasons = self.zone.rng.choice(REASONS)
        self.decide(app, officer, self.later(dd, 5), decision="reject", reasons=reasons,
                    note="经审贷会审议，暂不符合本行授信条件。")  # fmt: skip

    def referred(self, app: Application, officer: str, start: dt.date) -> None:
        dd = self.later(start, 2)
        self.dd(app, dd)
        self.decide(app, officer, self.later(dd, 3), decision="refer",
                    note="请管委会补充最新一期财务报表及里程碑达成情况后重新提交。")  # fmt: skip

    def approved(self, app: Application, officer: str, start: dt.date) -> None:
        self.dd(app, self.back(5))
        self.decide(app, officer, self.back(1))

    def decision_waiting(self, app: Application, officer: str, start: dt.date) -> None:
        self.dd(app, self.back(4))
        self.decide(app, officer, self.back(0), approve=False)

    def paused_now(self, app: Application, officer: str, start: dt.date) -> None:
        self.dd(app, self.back(5))
        self.pause(app, officer, self.back(2), None)

    def overdue(self, app: Application, officer: str, start: dt.date) -> None:
        dd = self.back(10)
        self.dd(app, dd)
        self.pause(app, officer, self.later(dd, 1), self.later(dd, 2))

    def on_track(self, app: Application, officer: str, start: dt.date) -> None:
        self.dd(app, self.back(2))

    def submitted(self, app: Application, officer: str, start: dt.date) -> None:
        """Waiting for the zone's due diligence."""
