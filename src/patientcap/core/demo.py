"""The fictional demo zone: organisations, one user per role, enterprises, pool funding.

Every name here is invented. Later programmes extend `build()` until the demo reproduces the
article's published figures. Deterministic for a given seed.
"""

import datetime as dt
import importlib
import importlib.util
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from patientcap.accounts.models import Organisation, OrganisationType, Role, User
from patientcap.approvals import services as approval_services
from patientcap.domain.ledger import (
    FISCAL_POOL,
    RISK_COMPENSATION_POOL,
    JournalEntry,
    credit,
    debit,
)
from patientcap.domain.money import parse_amount
from patientcap.enterprises import services as enterprise_services
from patientcap.enterprises.demo import generate_demo_enterprises
from patientcap.enterprises.models import Enterprise
from patientcap.ledger.services import post_batch
from patientcap.policy import services as calendar_services
from patientcap.policy.calendar import official_years

DEMO_PASSWORD = "patientcap-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organisation: str
    full_name: str
    staff: bool = False  # platform staff: maintains the working-day calendar and policy tables


ORGANISATIONS = [
    ("云溪科学城高新区管委会", OrganisationType.ZONE),
    ("云溪农商银行高新支行", OrganisationType.BANK),
    ("长江融创银行科技支行", OrganisationType.BANK),
    ("云溪科技融资担保有限公司", OrganisationType.GUARANTOR),
    ("西岭中小企业融资担保有限公司", OrganisationType.GUARANTOR),
    ("云溪创新生态共治促进会", OrganisationType.SERVICE),
    ("云溪理工大学", OrganisationType.UNIVERSITY),
    ("云溪区财政局审计处", OrganisationType.AUDIT),
]

USERS = [
    DemoUser("zone", Role.ZONE_OFFICER, "云溪科学城高新区管委会", "林晓岚"),
    DemoUser("admin", Role.ZONE_OFFICER, "云溪科学城高新区管委会", "钱立平", staff=True),
    DemoUser("reviewer", Role.REVIEWER, "云溪科学城高新区管委会", "周明远"),
    DemoUser("bank", Role.BANK_OFFICER, "云溪农商银行高新支行", "陈嘉禾"),
    DemoUser("bank2", Role.BANK_OFFICER, "长江融创银行科技支行", "刘思齐"),
    DemoUser("guarantor", Role.GUARANTOR_OFFICER, "云溪科技融资担保有限公司", "王若水"),
    DemoUser("agent", Role.SERVICE_AGENT, "云溪创新生态共治促进会", "赵一帆"),
    DemoUser("broker", Role.SERVICE_AGENT, "云溪理工大学", "孙启航"),
    DemoUser("firm", Role.ENTERPRISE_USER, "", "何知夏"),  # the first demo enterprise's login
    DemoUser("auditor", Role.AUDITOR, "云溪区财政局审计处", "郑清源"),
]


# Yearly fiscal contributions into the two pools (fictional allocation documents).
FISCAL_CONTRIBUTIONS = [
    (dt.date(2019, 3, 15), "2000万"),
    (dt.date(2020, 3, 16), "1500万"),
    (dt.date(2021, 3, 15), "1500万"),
    (dt.date(2022, 3, 15), "1000万"),
    (dt.date(2023, 3, 15), "1000万"),
    (dt.date(2024, 3, 15), "1000万"),
    (dt.date(2025, 3, 17), "1000万"),
]
RISK_POOL_CONTRIBUTIONS = [(dt.date(2024, 7, 1), "3000万"), (dt.date(2025, 7, 1), "2000万")]
SHARED_WITH_FIRST_BANK = 40
SHARED_WITH_SECOND_BANK = 25
SHARED_WITH_GUARANTOR = 20
ASSIGNED_TO_AGENT = 30


# The programme apps that add their part of the demo, in order (later ones build on earlier ones:
# matched credit needs the investments). Each has a `demo.py` with `build(zone: DemoZone) -> dict`
# returning counts for the summary, and may have `history(zone: DemoZone)`, run for every app
# before any `build`, which records the programme's past and adds its fiscal-pool money to
# `zone.history`.
PROGRAMMES = ("investments", "equity", "valuations", "evaluation", "matching", "lending")


@dataclass
class FiscalHistory:
    """The fiscal pool's past, from every programme, booked in one date-ordered batch once all of
    it is known: pool cash may leave the pool only on or after its latest entry, so programmes
    whose pasts overlap (invest-first since 2019, the angel fund since 2021) cannot book theirs
    in turn. Each entry keeps its true date."""

    entries: list[tuple[int, JournalEntry]] = field(default_factory=list)  # (order, entry)
    links: list[Callable[[dict[str, int]], None]] = field(default_factory=list)

    def add(self, entry: JournalEntry, order: int) -> None:
        """`order` places the entry within its day (lower first): money in before money out."""
        self.entries.append((order, entry))

    def then(self, link: Callable[[dict[str, int]], None]) -> None:
        """Call `link` with each entry's id by idempotency key once the batch is posted."""
        self.links.append(link)

    def book(self, actor: User) -> None:
        entries = [e for _, e in sorted(self.entries, key=lambda d: (d[1].date, d[0]))]
        ids = post_batch(entries, actor=actor, source="demo")
        by_key = dict(zip((e.idempotency_key for e in entries), ids, strict=True))
        for link in self.links:
            link(by_key)


@dataclass(frozen=True)
class DemoZone:
    """What the programme demos build on: the base zone, already saved."""

    rng: random.Random
    as_of: dt.date
    orgs: dict[str, Organisation]  # by name (ORGANISATIONS)
    users: dict[str, User]  # by demo username (USERS)
    firms: list[Enterprise]  # firms[0] is the demo "firm" user's own enterprise
    history: FiscalHistory = field(default_factory=FiscalHistory)


def is_built() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def build(*, enterprises: int = 400, seed: int = 2025, as_of: dt.date) -> dict:
    """Build the demo zone in one transaction: all of it, or (on any error) none of it."""
    rng = random.Random(seed)
    orgs = {name: Organisation.objects.create(name=name, type=t) for name, t in ORGANISATIONS}
    firms = _enterprises(enterprises, rng, as_of)
    users = _users(orgs, firms[0])
    _relationships(users, firms, rng, as_of)
    _calendar(users["admin"], as_of)
    _pool_funding(users["zone"])
    _pending_contribution(users["zone"], as_of)
    summary = {
        "organisations": Organisation.objects.count(),
        "users": len(users),
        "enterprises": len(firms),
    }
    zone = DemoZone(rng=rng, as_of=as_of, orgs=orgs, users=users, firms=firms)
    _fiscal_contributions(zone.history)
    demos = [
        importlib.import_module(f"patientcap.{app}.demo")
        for app in PROGRAMMES
        if importlib.util.find_spec(f"patientcap.{app}.demo")
    ]
    for module in demos:
        if hasattr(module, "history"):
            module.history(zone)
    zone.history.book(users["zone"])
    for module in demos:
        summary.update(module.build(zone))
    return summary


def _enterprises(n: int, rng: random.Random, as_of: dt.date) -> list[Enterprise]:
    ids = generate_demo_enterprises(n, rng, as_of=as_of)
    firms = list(Enterprise.objects.filter(pk__in=ids).order_by("pk"))
    # The first firm logs in as itself: its own organisation, for the demo "firm" user.
    first = firms[0]
    first.organisation = Organisation.objects.create(
        name=first.name, type=OrganisationType.ENTERPRISE
    )
    first.save(update_fields=["organisation"])
    return firms


def _users(orgs: dict[str, Organisation], first_firm: Enterprise) -> dict[str, User]:
    users = {}
    for spec in USERS:
        org = orgs[spec.organisation] if spec.organisation else first_firm.organisation
        user = User(
            username=spec.username,
            role=spec.role,
            organisation=org,
            last_name=spec.full_name[0],
            first_name=spec.full_name[1:],
            is_staff=spec.staff,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[spec.username] = user
    return users


def _relationships(
    users: dict[str, User], firms: list[Enterprise], rng: random.Random, as_of: dt.date
) -> None:
    """Consent-based sharing with banks and the guarantor, and the service agents' firms."""
    zone = users["zone"]
    shares = [
        (users["bank"], SHARED_WITH_FIRST_BANK, "配套授信尽调"),
        (users["bank2"], SHARED_WITH_SECOND_BANK, "科企梯度贷申请"),
        (users["guarantor"], SHARED_WITH_GUARANTOR, "担保尽调"),
    ]
    for officer, count, purpose in shares:
        count = min(count, len(firms))
        partner = officer.organisation
        assert partner is not None  # demo partners always belong to an organisation
        # The first firm always shares with the first bank, so the demo shows both sides.
        chosen = (
            [firms[0], *rng.sample(firms[1:], count - 1)]
            if officer is users["bank"]
            else rng.sample(firms, count)
        )
        for firm in chosen:
            enterprise_services.grant_access(
                actor=zone, enterprise_id=firm.pk, organisation_id=partner.pk, purpose=purpose
            )
    for agent, count in ((users["agent"], ASSIGNED_TO_AGENT), (users["broker"], 10)):
        for firm in rng.sample(firms, min(count, len(firms))):
            enterprise_services.assign_agent(
                actor=zone,
                enterprise_id=firm.pk,
                agent_id=agent.pk,
                since=as_of - dt.timedelta(days=rng.randint(30, 700)),
            )


def _calendar(admin: User, as_of: dt.date) -> None:
    """Years the official calendar package does not cover, up to the year after as_of, entered
    from their statutory holidays alone and declared covered, so that the demo's working-day
    clocks can run on any date. A demo assumption, said so in the reference: the real zone
    enters the State Council's notice, with its 调休 days, before declaring a year."""
    reference = "演示区假设：仅按国务院令第795号法定节假日录入，未含调休；以国务院办公厅通知为准"
    for year in range(max(official_years()) + 1, as_of.year + 2):
        calendar_services.enter_statutory_holidays(actor=admin, year=year, reference=reference)
        calendar_services.declare_year_covered(actor=admin, year=year, reference=reference)


def _pool_funding(zone: User) -> None:
    """The risk-compensation pool's past contributions, booked in one batch (they predate the
    platform and nothing else moves that pool's cash before the loans do)."""
    book = RISK_COMPENSATION_POOL
    post_batch(
        [contribution(book, day, amount, f"风险补偿资金注资（云溪财预〔{day.year}〕{i + 1}号）")
         for i, (day, amount) in enumerate(RISK_POOL_CONTRIBUTIONS)],
        actor=zone, source="demo",
    )  # fmt: skip


def _fiscal_contributions(history: FiscalHistory) -> None:
    """The fiscal pool's yearly contributions, first on their day in the fiscal pool's history."""
    for i, (day, amount) in enumerate(FISCAL_CONTRIBUTIONS):
        history.add(
            contribution(FISCAL_POOL, day, amount, f"财政注资（云溪财预〔{day.year}〕{i + 1}号）"),
            order=0,
        )


def contribution(book: str, day: dt.date, amount: str, memo: str) -> JournalEntry:
    fen = parse_amount(amount)
    return JournalEntry(
        book=book,
        date=day,
        memo=memo,
        idempotency_key=f"demo:{book}:{day.isoformat()}",
        postings=(debit(f"{book}.cash", fen), credit(f"{book}.contributions", fen)),
    )


def _pending_contribution(zone: User, as_of: dt.date) -> None:
    """This year's contribution, proposed by the zone officer and waiting for the reviewer."""
    approval_services.propose(
        action="ledger.fund_pool",
        payload={
            "amount": "800万",
            "date": as_of.isoformat(),
            "document_ref": f"云溪财预〔{as_of.year}〕1号",
            "memo": "年度财政注资",
        },
        reason="年度预算已批复，资金已到账，请复核入账。",
        by=zone,
    )
