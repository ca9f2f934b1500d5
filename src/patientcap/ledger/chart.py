"""The chart of accounts in the database: created from the domain's `CHART`, cached per process.

Accounts never change their code, book, side or floor once created (database guards), so a process
may keep them in memory; a code it does not know makes it read the table again.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from patientcap.audit.services import record
from patientcap.domain.ledger import CHART, Account, Side
from patientcap.ledger import models


@dataclass(frozen=True)
class StoredChart:
    accounts: dict[str, Account]  # by code
    ids: dict[str, int]  # account id by code

    def knows(self, codes: Any) -> bool:
        return all(code in self.ids for code in codes)


_cache: dict[tuple[str, str], StoredChart] = {}


def _key() -> tuple[str, str]:
    return connection.vendor, str(connection.settings_dict["NAME"])


def stored_chart(codes: Any = ()) -> StoredChart:
    """The chart as stored; read again when it lacks any of `codes`."""
    chart = _cache.get(_key())
    if chart is None or not chart.knows(codes):
        chart = _cache[_key()] = _load()
    return chart


def forget() -> None:
    _cache.clear()


def _load() -> StoredChart:
    accounts, ids = {}, {}
    for row in models.Account.objects.all():
        accounts[row.code] = Account(
            row.code,
            row.name,
            row.name_zh,
            row.book,
            Side(row.normal_side),
            row.must_not_go_negative,
        )
        ids[row.code] = row.pk
    return StoredChart(accounts, ids)


def ensure_chart(*, actor: Any = None) -> list[str]:
    """Create the accounts of `CHART` that are missing, each with its balance row, and return
    their codes. An existing account whose book, side or floor differs is an error: history
    depends on them. Names may be corrected."""
    created = []
    with transaction.atomic():
        existing = {a.code: a for a in models.Account.objects.select_for_update()}
        for account in CHART.values():
            row = existing.get(account.code)
            if row is None:
                row = models.Account.objects.create(
                    code=account.code,
                    name=account.name,
                    name_zh=account.name_zh,
                    book=account.book,
                    normal_side=account.normal_side.value,
                    must_not_go_negative=account.must_not_go_negative,
                )
                models.Balance.objects.create(account=row, floor=account.must_not_go_negative)
                record(
                    actor=actor,
                    action="ledger.account.create",
                    object_type="ledger.account",
                    object_id=account.code,
                    after=_facts(account),
                )
                created.append(account.code)
                continue
            stored = Account(
                row.code,
                row.name,
                row.name_zh,
                row.book,
                Side(row.normal_side),
                row.must_not_go_negative,
            )
            if (stored.book, stored.normal_side, stored.must_not_go_negative) != (
                account.book,
                account.normal_side,
                account.must_not_go_negative,
            ):
                raise ValueError(
                    f"account {account.code} is stored as {_facts(stored)}, the "
                    f"chart says {_facts(account)}; accounts never change"
                )
            if (stored.name, stored.name_zh) != (account.name, account.name_zh):
                models.Account.objects.filter(pk=row.pk).update(
                    name=account.name, name_zh=account.name_zh
                )
                record(
                    actor=actor,
                    action="ledger.account.rename",
                    object_type="ledger.account",
                    object_id=account.code,
                    before=_facts(stored),
                    after=_facts(account),
                )
    forget()
    return created


def _facts(account: Account) -> dict:
    return {
        "code": account.code,
        "name": account.name,
        "name_zh": account.name_zh,
        "book": account.book,
        "normal_side": account.normal_side.value,
        "must_not_go_negative": account.must_not_go_negative,
    }
