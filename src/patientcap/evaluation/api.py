"""API v1 for evaluation."""

from ninja import Router

router = Router(tags=["evaluation"])
