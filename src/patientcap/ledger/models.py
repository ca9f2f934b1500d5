"""The stored books: accounts, their cached balances, journal entries and their postings.

Entries and postings are append-only (database triggers, `guards.py`); a correction is a reversal
entry. Each account has one balance row, moved in the same transaction as its postings and
re-checked against them by `patientcap ledger verify`. Writes go through `services.py` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from patientcap.domain.ledger import BOOKS, Side

BOOK_CHOICES = [(code, _(label)) for code, label in BOOKS.items()]
SIDE_CHOICES = [(Side.DEBIT.value, _("Debit")), (Side.CREDIT.value, _("Credit"))]


class Account(models.Model):
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    book = models.CharField(_("book"), max_length=40, choices=BOOK_CHOICES)
    normal_side = models.CharField(_("normal side"), max_length=1, choices=SIDE_CHOICES)
    must_not_go_negative = models.BooleanField(_("must not go negative"), default=False)

    class Meta:
        ordering = ["book", "code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name


class Balance(models.Model):
    """The cached balance of one account, on its normal side. `floor` copies the account's
    must-not-go-negative flag so that the database itself refuses a negative balance, and
    `last_date` is the latest entry date posted to the account (money may not leave a floored
    account on an earlier date)."""

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.PROTECT, related_name="cached_balance"
    )
    balance = models.BigIntegerField(default=0)
    floor = models.BooleanField(default=False)
    last_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(floor=False) | Q(balance__gte=0), name="ledger_balance_floor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.balance}"


class Entry(models.Model):
    book = models.CharField(_("book"), max_length=40, choices=BOOK_CHOICES)
    date = models.DateField(_("date"))
    memo = models.CharField(_("memo"), max_length=500)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    content_hash = models.CharField(max_length=64)
    # At most one reversal per entry: a unique index over the reversals only (most entries
    # reverse nothing, and their NULLs need not be indexed).
    reversal_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        verbose_name=_("reversal of"),
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    # No database constraint: checking it would share-lock the user's row in every posting
    # transaction, and two writers acting for one user would queue on it. Users are protected
    # from deletion by the ORM (PROTECT) and deactivated rather than deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
        db_index=False,
        db_constraint=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["book", "idempotency_key"], name="ledger_entry_key_unique_per_book"
            ),
            models.UniqueConstraint(
                fields=["reversal_of"],
                condition=Q(reversal_of__isnull=False),
                name="ledger_entry_reversed_at_most_once",
            ),
            models.CheckConstraint(
                condition=~Q(reversal_of=F("id")), name="ledger_entry_not_its_own_reversal"
            ),
        ]
        indexes = [models.Index(fields=["book", "date", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.date} {self.memo}"


class Posting(models.Model):
    # Both lookups are served by the composite indexes below; a third and fourth index per
    # posting would only slow posting down. No foreign-key constraints either: a posting is
    # written only by the ledger's write path, in the statement that writes its entry and locks
    # its account's balance row, and neither entries nor accounts can ever be deleted (guards);
    # the constraints' per-row checks (and share locks on hot account rows) would cost more than
    # the posting itself. `patientcap ledger verify` reports any posting without its entry or
    # account.
    entry = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        related_name="postings",
        db_index=False,
        db_constraint=False,
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="postings",
        db_index=False,
        db_constraint=False,
    )
    side = models.CharField(_("side"), max_length=1, choices=SIDE_CHOICES)
    amount = models.BigIntegerField(_("amount (fen)"))
    date = models.DateField(_("date"))  # the entry's date, so statements need no join

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="ledger_posting_amount_positive"
            ),
            models.CheckConstraint(condition=Q(side__in=["D", "C"]), name="ledger_posting_side"),
            models.UniqueConstraint(
                fields=["entry", "account"], name="ledger_posting_account_once"
            ),
        ]
        indexes = [models.Index(fields=["account", "date", "entry"])]

    def __str__(self) -> str:
        return f"{self.side} {self.account_id} {self.amount}"
