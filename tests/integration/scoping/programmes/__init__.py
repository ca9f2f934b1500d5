"""Each programme app's part of the scoping walk, one module per app (named after it).

`<app>.py` may define:
- `build(world)`: add its rows to the worlds through the real services (`world.add(Obj(...))`
  with the roles that may read each row's markers);
- `ADDRESSES`: {address name: walker yielding (Obj, url kwargs, mismatched)} for its URLs;
- `PAGES`: {url name: Page} for every page of its app;
- `DIRECT_READS`: {(module, function, expression): why} for reads outside `accounts.scoping`
  (test_coverage.py), e.g. a seam selector another app calls after scoping the enterprise;
and `<app>_api.py` (kept apart because it imports endpoints.py, which imports pages.py):
- `OPERATIONS`: {(method, path): Operation} for every API operation of its router.
The harness merges them into world.build(), pages.PAGES / ADDRESSES and endpoints.OPERATIONS.
"""

import importlib
from types import ModuleType
from typing import Any

MODULES = ("investments", "equity", "valuations", "evaluation", "matching", "lending")


def modules(suffix: str = "") -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}{suffix}") for name in MODULES]


def build(world: Any) -> None:
    for module in modules():
        if hasattr(module, "build"):
            module.build(world)


def merged(attribute: str, suffix: str = "") -> dict:
    out: dict = {}
    for module in modules(suffix):
        out.update(getattr(module, attribute, {}))
    return out
