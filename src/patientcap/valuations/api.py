"""API v1 for valuations."""

from ninja import Router

router = Router(tags=["valuations"])
