"""Database rows of equity: each enterprise's cap table as a sequence of events, and the 凤栖 angel
fund's holdings.

The events are the truth: the table at any date is rebuilt by replaying an enterprise's events
(`CapTableEvent.payload`, JSON-ready: money int fen, prices and ratios as strings) through
`domain.captable` (`equity.replay`). The typed rows beside them (`Round`, `Instrument`,
`Conversion`, `Transfer`, `Exit`) store what each event produced, for listings and fast pages;
they are written in the same transaction as their event and never edited afterwards (an
instrument's `converted_in` is the one exception: it is set by the round that converts it).

The angel fund's rows: an `AngelHolding` per enterprise the fund (or a converted invest-first
project) holds shares in, with its exit plan (route, horizon, target multiple) and next-round
tracker (expected date and size; the actual rounds are the enterprise's `Round` rows), flagged
for review whenever a round or a valuation is recorded; each money movement is an
`AngelInvestment` (money in) or the holding's exit (money back), each with its ledger entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patientcap.enterprises.models import Enterprise

# Prices in fen per share at domain.captable.PRICE_PLACES (5) places; ratios and stakes at 10.


class EventKind(models.TextChoices):
    OPEN = "open", _("Cap table opened")
    ROUND = "round", _("Priced round")
    INSTRUMENT = "instrument", _("SAFE or note issued")
    CONVERSION = "conversion", _("Invest-first conversion")
    TRANSFER = "transfer", _("Transfer of shares")
    EXIT = "exit", _("Exit")


class CapTableEvent(models.Model):
    """One change of an enterprise's cap table, replayed in (date, sequence) order."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="cap_table_events"
    )
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    on = models.DateField()
    payload = models.JSONField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("enterprise", "on", "sequence")
        constraints = [
            models.UniqueConstraint(
                fields=("enterprise", "sequence"), name="equity_event_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=("enterprise",),
                condition=models.Q(kind="open"),
                name="equity_one_opening_per_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}#{self.sequence} {self.kind} {self.on}"


class Snapshot(models.Model):
    """The table after an enterprise's latest event (`replay.snapshot_payload`), so that reading
    the current table and recording the next event need not replay the whole history. Written
    with every event, in its transaction; a table at an earlier date is replayed from the events."""

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.PROTECT, related_name="cap_table_snapshot"
    )
    event = models.ForeignKey(CapTableEvent, on_delete=models.PROTECT, related_name="+")
    table = models.JSONField()

    def __str__(self) -> str:
        return f"snapshot {self.enterprise_id} @ {self.event_id}"


class Round(models.Model):
    """What a priced round produced (stored for the round history and the charts)."""

    event = models.OneToOneField(CapTableEvent, on_delete=models.PROTECT, related_name="round")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="rounds")
    on = models.DateField()
    series = models.CharField(max_length=100)
    pre_money_fen = models.BigIntegerField()
    new_money_fen = models.BigIntegerField()
    price_per_share = models.DecimalField(max_digits=30, decimal_places=5)
    pool_target = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    pool_increase = models.BigIntegerField(default=0)
    shares_issued = models.BigIntegerField()
    fully_diluted_post = models.BigIntegerField()
    residue_fen = models.DecimalField(max_digits=30, decimal_places=5)
    down_round = models.BooleanField(default=False)
    adjustments = models.JSONField(default=list)  # anti-dilution: class, method, old, new price

    class Meta:
        ordering = ("enterprise", "on", "event__sequence")

    def __str__(self) -> str:
        return f"{self.series} {self.on}"

    @property
    def post_money_fen(self) -> int:
        return self.pre_money_fen + self.new_money_fen


class InstrumentKind(models.TextChoices):
    POST_MONEY_SAFE = "post_money_safe", _("Post-money SAFE")
    PRE_MONEY_SAFE = "pre_money_safe", _("Pre-money SAFE")
    NOTE = "note", _("Convertible note")


class Instrument(models.Model):
    """A SAFE or convertible note issued by the enterprise; it converts at a later priced round."""

    event = models.OneToOneField(CapTableEvent, on_delete=models.PROTECT, related_name="instrument")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="instruments")
    kind = models.CharField(max_length=20, choices=InstrumentKind.choices)
    holder = models.CharField(max_length=200)
    amount_fen = models.BigIntegerField()
    issued_on = models.DateField()
    valuation_cap_fen = models.BigIntegerField(null=True, blank=True)
    discount = models.DecimalField(max_digits=20, decimal_places=10, default=0)
    annual_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    day_count = models.CharField(max_length=10, blank=True)
    converted_in = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="converted"
    )
    converted_shares = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("enterprise", "issued_on", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.holder}"


class Conversion(models.Model):
    """Invest-first money converted into shares (variants A–D)."""

    event = models.OneToOneField(CapTableEvent, on_delete=models.PROTECT, related_name="conversion")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="invest_first_conversions"
    )
    on = models.DateField()
    holder = models.CharField(max_length=200)
    variant = models.CharField(max_length=1)
    amount_fen = models.BigIntegerField()
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    share_class = models.CharField(max_length=150)
    shares = models.BigIntegerField()
    price = models.DecimalField(max_digits=30, decimal_places=5, null=True, blank=True)
    stake = models.DecimalField(max_digits=20, decimal_places=10)
    residue_fen = models.DecimalField(max_digits=30, decimal_places=5)

    class Meta:
        ordering = ("enterprise", "on", "pk")

    def __str__(self) -> str:
        return f"{self.holder} {self.shares} ({self.variant})"


class Transfer(models.Model):
    """A sale of shares from one holder to another (a secondary sale or an exit by sale)."""

    event = models.OneToOneField(CapTableEvent, on_delete=models.PROTECT, related_name="transfer")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="transfers")
    on = models.DateField()
    holder = models.CharField(max_length=200)
    buyer = models.CharField(max_length=200)
    shares = models.BigIntegerField()
    proceeds_fen = models.BigIntegerField()

    class Meta:
        ordering = ("enterprise", "on", "pk")

    def __str__(self) -> str:
        return f"{self.holder} → {self.buyer} {self.shares}"


class Exit(models.Model):
    """The sale of the whole company (M&A or a liquidation): proceeds paid out by the waterfall.
    After an exit the cap table takes no further events."""

    event = models.OneToOneField(CapTableEvent, on_delete=models.PROTECT, related_name="exit")
    enterprise = models.OneToOneField(Enterprise, on_delete=models.PROTECT, related_name="exit")
    on = models.DateField()
    proceeds_fen = models.BigIntegerField()
    payouts = models.JSONField()  # holder -> fen, as the waterfall paid them

    def __str__(self) -> str:
        return f"exit {self.enterprise_id} {self.on}"


class ExitRoute(models.TextChoices):
    TRADE_SALE = "trade_sale", _("Trade sale (M&A)")
    SECONDARY = "secondary", _("Sale in a later round")
    BUYBACK = "buyback", _("Founder or company buyback")
    IPO = "ipo", _("IPO")


class HoldingKind(models.TextChoices):
    ANGEL = "angel", _("Angel investment")
    INVEST_FIRST = "invest_first", _("Converted invest-first project")


class HoldingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXITED = "exited", _("Exited")


class AngelHolding(models.Model):
    """The fund's position in one enterprise, with its exit plan and next-round tracker."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="angel_holdings"
    )
    holder = models.CharField(max_length=200)  # the holder's name on the cap table
    kind = models.CharField(max_length=16, choices=HoldingKind.choices)
    opened_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=HoldingStatus.choices, default=HoldingStatus.ACTIVE
    )
    # Exit plan, from day one.
    exit_route = models.CharField(max_length=16, choices=ExitRoute.choices)
    exit_horizon_years = models.PositiveSmallIntegerField()
    target_multiple = models.DecimalField(max_digits=8, decimal_places=2)
    # Next-round tracker: what is expected; the actual rounds are the enterprise's Round rows.
    next_round_expected_on = models.DateField(null=True, blank=True)
    next_round_expected_fen = models.BigIntegerField(null=True, blank=True)
    review_due_since = models.DateField(null=True, blank=True)
    review_reason = models.CharField(max_length=200, blank=True)
    exited_on = models.DateField(null=True, blank=True)
    returned_fen = models.BigIntegerField(default=0)

    class Meta:
        ordering = ("enterprise", "opened_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("enterprise", "holder"), name="equity_one_holding_per_holder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder} in {self.enterprise_id}"


class AngelInvestment(models.Model):
    """Money the fund put into an enterprise, and the ledger entry that booked it."""

    class Form(models.TextChoices):
        EQUITY = "equity", _("Priced equity")
        POST_MONEY_SAFE = "post_money_safe", _("Post-money SAFE")
        PRE_MONEY_SAFE = "pre_money_safe", _("Pre-money SAFE")
        NOTE = "note", _("Convertible note")

    holding = models.ForeignKey(AngelHolding, on_delete=models.PROTECT, related_name="investments")
    on = models.DateField()
    form = models.CharField(max_length=20, choices=Form.choices)
    amount_fen = models.BigIntegerField()
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry_id = models.BigIntegerField(null=True, blank=True)  # ledger.Entry

    class Meta:
        ordering = ("on", "pk")

    def __str__(self) -> str:
        return f"{self.form} {self.amount_fen}"


class HoldingReview(models.Model):
    """A fund manager's review of a holding (clears its review flag)."""

    holding = models.ForeignKey(AngelHolding, on_delete=models.PROTECT, related_name="reviews")
    on = models.DateField()
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-on", "-pk")

    def __str__(self) -> str:
        return f"review {self.holding_id} {self.on}"
