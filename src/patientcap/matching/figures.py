"""The zone-wide matched-credit figure over every file of every bank: the amount disbursed by a
date, read by the lending programme's leverage report. For zone reports only, never behind a
page or endpoint a bank or a firm reaches (those read through `accounts.scoping`)."""

import datetime as dt

from django.db.models import Sum

from patientcap.matching.models import Application


def matched_credit_fen(on: dt.date) -> int:
    """Matched credit disbursed on or before `on`, all banks (for the leverage report)."""
    total = Application.objects.filter(disbursed_on__lte=on).aggregate(s=Sum("disbursed_fen"))["s"]
    return int(total or 0)
