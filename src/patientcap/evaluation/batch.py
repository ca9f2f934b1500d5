"""Scoring many firms at once, in this process or on a Dask distributed cluster.

`score_many(text, source, rows, address)` scores each row (a dict of exact inputs) with the
single-firm scorer `domain.scoring.score`, in chunks. Without an address the chunks run here;
with one (`PATIENTCAP_DASK_ADDRESS`, e.g. "tcp://10.0.0.5:8786") they are submitted to the
cluster's workers, which receive the rule set's text (not the file) and parse it themselves, so
workers need no access to this installation's files or database. Results come back in row order
and are identical to the in-process run (the scorer is exact: no float anywhere).
"""

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache

from patientcap.domain import scoring
from patientcap.domain.ruleset import RuleSet, parse_ruleset

SETTING = "PATIENTCAP_DASK_ADDRESS"
CHUNK = 2_000

Row = Mapping[str, Decimal | int | bool | None]


def dask_address() -> str:
    """The configured Dask scheduler address, or "" for in-process scoring."""
    return os.environ.get(SETTING, "").strip()


@lru_cache(maxsize=16)
def parsed(text: str, source: str) -> RuleSet:
    """A rule set's text parsed once per process (the digest changes with any edit)."""
    return parse_ruleset(text, source)


def score_chunk(text: str, source: str, rows: Sequence[Row]) -> list[scoring.Evaluation]:
    """Score a chunk of rows (runs on a Dask worker or here)."""
    ruleset = parsed(text, source)
    return [scoring.score(ruleset, row) for row in rows]


def _chunks(rows: Sequence[Row], size: int) -> list[Sequence[Row]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def score_many(
    text: str, source: str, rows: Sequence[Row], *, address: str = "", chunk: int = CHUNK
) -> list[scoring.Evaluation]:
    """Score every row, in-process or on the Dask cluster at `address`, in row order."""
    parts = _chunks(list(rows), chunk)
    if not address:
        return [ev for part in parts for ev in score_chunk(text, source, part)]
    from dask.distributed import Client

    with Client(address, timeout=30) as client:
        futures = client.map(
            score_chunk, [text] * len(parts), [source] * len(parts), parts, pure=False
        )
        results = client.gather(futures)
    return [ev for part in results for ev in part]
