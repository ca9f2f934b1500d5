"""The scoring rule sets of this installation: every `*.yaml` under `POLICY_DIR/rulesets/`.

Each file is parsed and checked by `domain.ruleset.parse_ruleset`; a bad file raises
`RuleSetError` naming the file, the indicator and the line. Several versions of one rule set
live side by side (one file each); `get(id, on=day)` is the version in force on a day (the
latest `effective_from` on or before it). Files are read once per process (they change
with a deployment, which restarts it).
"""

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from patientcap.domain.ruleset import RuleSet, parse_ruleset


@dataclass(frozen=True)
class Loaded:
    ruleset: RuleSet
    source_name: str
    text: str


_lock = threading.Lock()
_cache: dict[Path, tuple[Loaded, ...]] = {}


def directory() -> Path:
    return (Path(settings.POLICY_DIR) / "rulesets").resolve()


def load_all() -> tuple[Loaded, ...]:
    """Every rule set version, ordered by id then effective date."""
    where = directory()
    found = _cache.get(where)
    if found is None:
        with _lock:
            out = []
            for path in sorted(where.glob("*.yaml")):
                text = path.read_text(encoding="utf-8")
                out.append(Loaded(parse_ruleset(text, path.name), path.name, text))
            out.sort(key=lambda x: (x.ruleset.id, x.ruleset.effective_from, x.ruleset.version))
            found = _cache[where] = tuple(out)
    return found


def ids() -> list[str]:
    return sorted({x.ruleset.id for x in load_all()})


def versions(ruleset_id: str) -> list[Loaded]:
    return [x for x in load_all() if x.ruleset.id == ruleset_id]


def get(ruleset_id: str, version: str | None = None, on: dt.date | None = None) -> Loaded:
    """One version: the one named, else the one in force on `on` (else the latest).

    Raises LookupError with the known ids or versions when there is none.
    """
    found = versions(ruleset_id)
    if not found:
        raise LookupError(f"unknown rule set {ruleset_id!r}; known: {', '.join(ids())}")
    if version is not None:
        for x in found:
            if x.ruleset.version == version:
                return x
        known = ", ".join(x.ruleset.version for x in found)
        raise LookupError(f"{ruleset_id} has no version {version!r}; known: {known}")
    if on is not None:
        in_force = [x for x in found if x.ruleset.effective_from <= on]
        if in_force:
            return in_force[-1]
    return found[-1]
