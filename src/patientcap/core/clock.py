"""The shell's clock. The domain never reads the clock; the shell passes `as_of` from here."""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today's business date in the zone (Asia/Shanghai)."""
    return timezone.localdate()


def now() -> dt.datetime:
    return timezone.now()
