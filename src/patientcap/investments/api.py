"""API v1 for investments."""

from ninja import Router

router = Router(tags=["investments"])
