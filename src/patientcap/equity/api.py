"""API v1 for equity."""

from ninja import Router

router = Router(tags=["equity"])
