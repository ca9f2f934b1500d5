"""Ledger actions that run only under maker-checker: funding a pool and reversing an entry.

Imported from LedgerConfig.ready(), which registers them with the approvals registry.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patientcap import approvals
from patientcap.accounts import scoping
from patientcap.accounts.models import Role
from patientcap.domain.ledger import BOOKS, FISCAL_POOL, credit, debit
from patientcap.domain.money import AmountError, format_yuan, parse_amount
from patientcap.ledger import services
from patientcap.ledger.models import Entry

MAKERS = {Role.ZONE_OFFICER}
CHECKERS = {Role.REVIEWER, Role.ZONE_OFFICER}  # never the maker: the approvals service refuses


def _fund_pool_key(book: str, document_ref: str) -> str:
    # One allocation document is booked once, however many proposals name it.
    return f"fund-pool:{book}:{document_ref}"


def validate_fund_pool(payload: dict, user: Any) -> dict:
    """{"book": "fiscal_pool", "amount": "200万" | "amount_fen": 200000000,
    "date": "2025-03-01", "document_ref": "渝高新财〔2025〕12号", "memo": "..."}
    -> the same with amount_fen only."""
    errors: dict[str, str] = {}
    book = payload.get("book", FISCAL_POOL)
    if book not in BOOKS:
        errors["book"] = _("Choose the fiscal pool or the risk-compensation pool.")
    amount = payload.get("amount_fen")
    if not isinstance(amount, int) or isinstance(amount, bool):
        try:
            amount = parse_amount(str(payload.get("amount", "")))
        except AmountError:
            errors["amount"] = _("Give the amount in yuan, e.g. 2000000.00 or 200万.")
    if isinstance(amount, int) and amount <= 0:
        errors["amount"] = _("A contribution is a positive amount.")
    try:
        date = dt.date.fromisoformat(str(payload.get("date", "")))
    except ValueError:
        errors["date"] = _("Give the date the money arrived as YYYY-MM-DD.")
    ref = str(payload.get("document_ref", "")).strip()
    if not ref:
        errors["document_ref"] = _("Name the allocation document (文号) of the contribution.")
    elif (
        book in BOOKS
        and scoping.readable(user, Entry).filter(idempotency_key=_fund_pool_key(book, ref)).exists()
    ):
        errors["document_ref"] = _("This allocation document is already booked.")
    if errors:
        raise ValidationError(errors)
    return {
        "book": book,
        "amount_fen": amount,
        "date": date.isoformat(),
        "document_ref": ref,
        "memo": str(payload.get("memo", "")).strip()[:200],
    }


@approvals.action(
    "ledger.fund_pool",
    label=gettext_lazy("Record a fiscal contribution into a pool"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_fund_pool,
    target=lambda p: _fund_pool_key(p["book"], p["document_ref"]),
    summarise=lambda p: (
        _("Contribution of %(amount)s to the %(book)s (%(ref)s)")
        % {
            "amount": format_yuan(p["amount_fen"]),
            "book": _(BOOKS[p["book"]]),
            "ref": p["document_ref"],
        }
    ),
)
def fund_pool(payload: dict, proposal: Any) -> dict:
    book, amount = payload["book"], payload["amount_fen"]
    entry = services.post_entry(
        book=book,
        date=dt.date.fromisoformat(payload["date"]),
        memo=payload["memo"] or _("Fiscal contribution %(ref)s") % {"ref": payload["document_ref"]},
        idempotency_key=_fund_pool_key(book, payload["document_ref"]),
        postings=[debit(f"{book}.cash", amount), credit(f"{book}.contributions", amount)],
        actor=proposal.decided_by,
        source=f"approvals.proposal:{proposal.pk}",
    )
    return {"entry_id": entry.pk}


def validate_reversal(payload: dict, user: Any) -> dict:
    """{"entry_id": 42} -> the same, once the entry is known to be visible and not reversed."""
    entry_id = payload.get("entry_id")
    entry = (
        scoping.readable(user, Entry).filter(pk=entry_id).first()
        if isinstance(entry_id, int) and not isinstance(entry_id, bool)
        else None
    )
    if entry is None:
        raise ValidationError({"entry_id": _("There is no such journal entry.")})
    if entry.reversal_of_id is not None:
        raise ValidationError({"entry_id": _("A reversal is not reversed; post a new entry.")})
    if Entry.objects.filter(reversal_of=entry).exists():
        raise ValidationError({"entry_id": _("This entry is already reversed.")})
    return {"entry_id": entry.pk}


@approvals.action(
    "ledger.reverse_entry",
    label=gettext_lazy("Reverse a journal entry"),
    maker_roles=MAKERS,
    checker_roles=CHECKERS,
    validate=validate_reversal,
    target=lambda p: f"entry:{p['entry_id']}",
    summarise=lambda p: _("Reverse journal entry #%(id)s") % {"id": p["entry_id"]},
)
def reverse_entry(payload: dict, proposal: Any) -> dict:
    reversal = services.reverse_entry(
        entry=payload["entry_id"],
        reason=proposal.reason[: services.MAX_REASON],
        actor=proposal.decided_by,
    )
    return {"entry_id": reversal.pk}
