"""The scoping walk's part for the lending app (see __init__.py).

World A: enterprise A borrows from bank A, guaranteed by guarantor A; the loan defaults, bank A's
claim is compensated (pool and guarantor A) and partly recovered. World B: enterprise B borrows
from bank B, guaranteed by guarantor B, and repays. Each world also has an application in due
diligence (the bank's opinion recorded, the guarantor's awaited). The applications' purposes,
the due-diligence opinions, the contract numbers, the repayment reference, the claim's statement
and the recovery's source are markers; their readers are the zone, auditors, the file's bank and
guarantor, and (not for the claim) the firm. A bank or guarantor of world A never sees world B's.

A bank and the guarantor of the same loan read each other's name on it: the loan is their joint
file (the world's directory otherwise lets only enterprises browse partners' names).
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from tests.integration.scoping.pages import Page, Post, nobody, readers
from tests.integration.scoping.world import NETWORK, Obj, World

from patientcap.core.clock import today
from patientcap.domain.ledger import credit, debit
from patientcap.ledger.services import post_entry
from patientcap.lending import services
from patientcap.lending.selectors import amount_due

# world -> (bank organisation, bank role, guarantor organisation, guarantor role, firm role)
SIDES = {
    "a": ("bank_a", "bank_officer", "guarantor_a", "guarantor_officer", "enterprise_user"),
    "b": ("bank_b", "other_bank_officer", "guarantor_b", "other_guarantor_officer",
          "other_enterprise_user"),
}  # fmt: skip
PARTIES = NETWORK | {"bank_officer", "other_bank_officer", "guarantor_officer",
                     "other_guarantor_officer"}  # fmt: skip


def marker(w: str, what: str) -> str:
    return f"MK-TL-{w.upper()}-{what}~"


def _apply(world: World, w: str, on: dt.date, what: str) -> Any:
    bank, bank_role, guarantor, _g, _e = SIDES[w]
    return services.apply(
        actor=world.users[bank_role],
        enterprise_id=world.objects[f"ent_{w}"].pk,
        bank_id=world.orgs[bank].pk,
        guarantor_id=world.orgs[guarantor].pk,
        amount_fen=100_000_000,
        annual_rate=Decimal("0.039"),
        tenor_months=12,
        method="equal_principal",
        purpose=marker(w, what),
        on=on,
    )


def _opinion(world: World, w: str, app: Any, role: str, on: dt.date) -> None:
    services.record_diligence(
        actor=world.users[role],
        application_id=app.pk,
        favourable=True,
        opinion=marker(w, f"DD-{role.upper()}"),
        on=on,
    )


def build(world: World) -> None:
    zone, reviewer, day = world.users["zone_officer"], world.users["reviewer"], today()
    start = day - dt.timedelta(days=300)
    post_entry(
        book="risk_compensation_pool",
        date=start - dt.timedelta(days=30),
        memo="scoping: risk-compensation money",
        idempotency_key="scoping-lending-pool",
        postings=[
            debit("risk_compensation_pool.cash", 5_000_000_00),
            credit("risk_compensation_pool.contributions", 5_000_000_00),
        ],
        actor=zone,
    )
    for w, (bank, bank_role, guarantor, g_role, ent_role) in SIDES.items():
        world.objects[f"org_{bank}"].readers |= {g_role}
        world.objects[f"org_{guarantor}"].readers |= {bank_role}
        file_readers = NETWORK | {bank_role, g_role, ent_role}
        claim_readers = NETWORK | {bank_role, g_role}
        app = _apply(world, w, start, "LOAN")
        _opinion(world, w, app, bank_role, start)
        _opinion(world, w, app, g_role, start)
        # The approved proposals' executions, straight through the services: the world's
        # approval queue stays its own.
        services.approve_application(application_id=app.pk, actor=reviewer, on=start)
        loan = services.sign_contract(
            actor=world.users[bank_role],
            application_id=app.pk,
            contract_number=marker(w, "CONTRACT"),
            signed_on=start + dt.timedelta(days=5),
            guarantee_fee_percent=Decimal("0.8"),
        )
        services.disburse(
            actor=world.users[bank_role],
            loan_id=loan.pk,
            amount_fen=100_000_000,
            on=start + dt.timedelta(days=5),
            first_due=start + dt.timedelta(days=35),
        )
        world.add(Obj(f"tlapp_{w}", app, (app.purpose,), file_readers, enterprise=f"ent_{w}"))
        world.add(Obj(f"tldd_{w}", app, (marker(w, f"DD-{g_role.upper()}"),), file_readers))
        writers = frozenset({bank_role}) if w == "b" else frozenset()
        world.add(Obj(f"tlloan_{w}", loan, (loan.contract_number,), file_readers, writers))
        if w == "b":
            repayment = services.repay(
                actor=world.users[bank_role],
                loan_id=loan.pk,
                amount_fen=amount_due(loan, day),
                on=day,
                reference=marker(w, "REPAY"),
            )
            world.add(Obj("tlrepay_b", repayment, (repayment.reference,), file_readers))
        else:
            claim = services.file_claim(
                actor=world.users[bank_role],
                loan_id=loan.pk,
                on=day - dt.timedelta(days=60),
                statement=marker(w, "CLAIM"),
            )
            services.compensate(claim_id=claim.pk, actor=reviewer, on=day - dt.timedelta(days=30))
            services.record_recovery(
                claim_id=claim.pk,
                actor=reviewer,
                on=day - dt.timedelta(days=10),
                amount_fen=10_000_00,
                source=marker(w, "RECOVERY"),
            )
            world.add(
                Obj(
                    f"tlclaim_{w}",
                    claim,
                    (claim.statement,),
                    claim_readers,
                    frozenset({"zone_officer"}),
                )
            )
            recovery = claim.recoveries.get()
            world.add(Obj(f"tlrecovery_{w}", recovery, (recovery.source,), claim_readers))
        pending = _apply(world, w, day - dt.timedelta(days=2), "PENDING")
        _opinion(world, w, pending, bank_role, day - dt.timedelta(days=1))
        world.add(
            Obj(
                f"tlapp_{w}_pending",
                pending,
                (pending.purpose,),
                file_readers,
                frozenset({g_role}),
                f"ent_{w}",
            )
        )
        # In the queues it is listed for its guarantor only: the decision waits for it.
        world.add(
            Obj(
                f"tlqueue_{w}",
                pending,
                (pending.purpose,),
                file_readers,
                listed_for=frozenset({g_role}),
            )
        )


# --- addresses ----------------------------------------------------------------------------------
def _by_pk(prefix: str) -> Any:
    def walk(world: World) -> Iterator[tuple[Obj, dict, bool]]:
        for obj in world.kind(prefix):
            yield obj, {"pk": obj.pk}, False

    return walk


ADDRESSES = {
    "tiered application": _by_pk("tlapp_"),
    "tiered loan": _by_pk("tlloan_"),
    "tiered claim": _by_pk("tlclaim_"),
}


# --- who may do what ---------------------------------------------------------------------------
def writers(world: World, subject: Obj | None) -> frozenset[str]:
    assert subject is not None
    return subject.writers


def applicants(world: World, subject: Obj | None) -> frozenset[str]:
    return frozenset({"zone_officer", "enterprise_user"})


def apply_form(world: World, subject: Obj | None) -> dict[str, Any]:
    return {
        "enterprise": str(world.objects["ent_a"].pk),
        "bank": str(world.orgs["bank_a"].pk),
        "guarantor": str(world.orgs["guarantor_a"].pk),
        "amount": "100万",
        "rate": "3.9",
        "tenor_months": "12",
        "method": "equal_principal",
        "purpose": "scoping application",
    }


def _today() -> str:
    return today().isoformat()


def file_and_opinions(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    w = subject.key.split("_")[1]
    return [subject, world.objects[f"tldd_{w}"]] if subject.key == f"tlapp_{w}" else [subject]


def loan_and_rows(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    w = subject.key.split("_")[1]
    rows = [subject]
    if f"tlrepay_{w}" in world.objects:
        rows.append(world.objects[f"tlrepay_{w}"])
    return rows


def claim_and_recovery(world: World, subject: Obj | None) -> list[Obj]:
    assert subject is not None
    w = subject.key.split("_")[1]
    return [subject, world.objects[f"tlrecovery_{w}"]]


def all_of(prefix: str) -> Any:
    return lambda world, subject: world.kind(prefix)


def past_due(world: World, subject: Obj | None) -> list[Obj]:
    return [world.objects["tlloan_a"]]


PAGES = {
    "lending:queue": Page(
        None,
        lambda w, s: frozenset(
            {
                "zone_officer",
                "reviewer",
                "auditor",
                "bank_officer",
                "other_bank_officer",
                "guarantor_officer",
                "other_guarantor_officer",
                "service_agent",
                "other_service_agent",
                "enterprise_user",
                "other_enterprise_user",
            }
        ),
        shows=all_of("tlqueue_"),
    ),
    "lending:applications": Page(
        None,
        lambda w, s: frozenset(w.users),
        shows=all_of("tlapp_"),
        queries=("", "?status=diligence", "?status=bogus"),
    ),
    "lending:apply": Page(
        None,
        lambda w, s: frozenset({"zone_officer", "enterprise_user", "other_enterprise_user"}),
        posts=(Post("apply", apply_form, applicants),),
    ),
    "lending:application": Page("tiered application", readers, shows=file_and_opinions),
    "lending:application_action": Page(
        "tiered application",
        nobody,
        posts=(
            Post(
                "the guarantor's due diligence",
                lambda w, s: {
                    "do": "diligence",
                    "favourable": "yes",
                    "opinion": "ok",
                    "date": _today(),
                },
                writers,
            ),
        ),
    ),
    "lending:loans": Page(
        None,
        lambda w, s: frozenset(w.users),
        shows=all_of("tlloan_"),
        queries=("", "?status=active"),
    ),
    "lending:loan": Page("tiered loan", readers, shows=loan_and_rows),
    "lending:loan_action": Page(
        "tiered loan",
        nobody,
        posts=(
            Post(
                "a repayment",
                lambda w, s: {
                    "do": "repay",
                    "amount": "1000",
                    "date": _today(),
                    "reference": "scoping",
                },
                writers,
            ),
        ),
    ),
    "lending:claim": Page("tiered claim", readers, shows=claim_and_recovery),
    "lending:claim_action": Page(
        "tiered claim",
        nobody,
        posts=(
            Post(
                "propose a recovery",
                lambda w, s: {
                    "do": "recover",
                    "amount": "1万",
                    "date": _today(),
                    "source": "scoping",
                    "reason": "scoping",
                },
                writers,
                "own",
            ),
        ),
    ),
    "lending:par": Page(None, lambda w, s: PARTIES, shows=past_due),
    "lending:reports": Page(None, lambda w, s: NETWORK),
    "lending:reports_export": Page(None, lambda w, s: NETWORK),
}


# --- reads around scoping, and why ------------------------------------------------------------
_OF_SCOPED = "rows of the loans or claims the caller read through scoping (the queryset passed in)"
DIRECT_READS = {
    ("lending/selectors.py", "portfolio", "Instalment.objects"): _OF_SCOPED,
    ("lending/selectors.py", "losses_by_party", "ClaimShare.objects"): _OF_SCOPED,
    ("lending/selectors.py", "monthly_disbursements", "Disbursement.objects"): _OF_SCOPED,
    ("lending/selectors.py", "recoveries", "Recovery.objects"): _OF_SCOPED,
    ("lending/selectors.py", "npl_by_bank", "Organisation.objects"): (
        "the names of the banks of the loans the caller read through scoping"
    ),
    ("lending/selectors.py", "leverage", "Loan.objects"): (
        "the zone-wide leverage figure, for the reports page (zone staff and auditors) and kpis"
    ),
    ("lending/views.py", "apply", "Organisation.objects"): (
        "the directory of partner banks and guarantors an applicant (the firm or the zone "
        "officer) picks from"
    ),
}
