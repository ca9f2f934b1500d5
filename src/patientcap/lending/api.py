"""API v1 for lending."""

from ninja import Router

router = Router(tags=["lending"])
