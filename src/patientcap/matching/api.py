"""API v1 for matching."""

from ninja import Router

router = Router(tags=["matching"])
