"""Ledger throughput through the real posting service (issue 2, performance).

Figures, each beside a bare-driver loop doing the same work in the same run:

- SQLite (WAL): balanced two-posting entries, one transaction each, through `post_entry` with every
  check and the audit record (target ≥ 2,500/s); baseline: a bare sqlite3 loop of the same two-leg
  entry (two balance updates, the entry, its two postings, one transaction each).
- PostgreSQL: the same with two concurrent writers, each a process with its own connection and
  its own book (target ≥ 1,500/s); baseline: bare psycopg, two processes with a connection each,
  the same two-leg entry. Also, for information, both writers on the same accounts (a hot
  account).
- Batch: `post_batch` of 20,000 entries in one transaction (target ≥ 20,000/s, both databases);
  baseline: the bare driver inserting the same entry and posting rows in one transaction.

Each figure is the best of a few runs, taken in turn with its baseline's runs (other load on the
machine only slows a run down, and then both alike).
Every figure uses a scratch database of its own: a temporary SQLite file, and a PostgreSQL
database `patientcap_bench` that is created and dropped (server from BENCH_POSTGRES_URL, default
the local one). Run: `uv run python -m benchmarks.ledger [sqlite|postgresql]`; `run()` returns the
results to `benchmarks.run`. Exits 1 when a target is missed.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._common import Result, best_interleaved, dump, load, rate, report

PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "patientcap_bench"
DATABASES = ("sqlite", "postgresql")
RUNS = 4
BATCH_RUNS = 3
SINGLE_N = 4000  # entries per SQLite run
WRITER_N = 2500  # entries per PostgreSQL writer per run
BATCH_N = 20_000
DAY = dt.date(2025, 6, 30)

BOOKS = {  # book: (cash, source of money, where money goes)
    "fiscal_pool": ("fiscal_pool.cash", "fiscal_pool.contributions", "fiscal_pool.invest_first"),
    "risk_compensation_pool": (
        "risk_compensation_pool.cash",
        "risk_compensation_pool.contributions",
        "risk_compensation_pool.compensation_paid",
    ),
}


# --- The parent: one worker process per database --------------------------------------------
def run(databases: tuple[str, ...] = DATABASES) -> list[Result]:
    results: list[Result] = []
    for database in databases:
        if database == "postgresql" and not _postgres_reachable():
            print(f"PostgreSQL at {PG_SERVER} is not reachable: its figures are skipped")
            continue
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.ledger", "--worker", database],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"the {database} benchmark failed:\n{proc.stderr}")
        results += load(proc.stdout.strip().splitlines()[-1])
    return results


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        print(dump(_worker(argv[1])))
        return 0
    databases = tuple(argv) or DATABASES
    return 0 if report(run(databases)) else 1


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


# --- A worker: Django on its own scratch database ---------------------------------------------
def _worker(database: str) -> list[Result]:
    os.environ["DEBUG"] = "0"  # no query log, no debug cursor
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcap.settings")
    if database == "sqlite":
        scratch = Path(tempfile.mkdtemp(prefix="patientcap-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
        try:
            return _with_django(lambda: _sqlite_figures(scratch))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        admin.execute(f"CREATE DATABASE {PG_DB}")
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["CONN_MAX_AGE"] = "600"
    try:
        return _with_django(_postgres_figures)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _with_django(figures: Callable[[], list[Result]]) -> list[Result]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return figures()


def _actor() -> Any:
    from patientcap.accounts.models import Organisation, OrganisationType, Role, User

    org = Organisation.objects.create(type=OrganisationType.ZONE, name="Benchmark zone")
    return User.objects.create(username="bench", organisation=org, role=Role.ZONE_OFFICER)


def _postings(book: str, i: int) -> list:
    """Money in on even entries, out (through the must-not-go-negative cash account) on odd."""
    from patientcap.domain.ledger import credit, debit

    cash, source, use = BOOKS[book]
    if i % 2 == 0:
        return [debit(cash, 1_000), credit(source, 1_000)]
    return [debit(use, 500), credit(cash, 500)]


def _post_loop(book: str, prefix: str, n: int, actor: Any) -> None:
    from django.db import connection

    from patientcap.ledger.services import post_entry

    for i in range(n):
        post_entry(
            book=book,
            date=DAY,
            memo="benchmark entry",
            actor=actor,
            idempotency_key=f"{prefix}-{i}",
            postings=_postings(book, i),
        )
    connection.close()


def _batch_rate(prefix: str, actor: Any) -> float:
    from patientcap.domain.ledger import JournalEntry
    from patientcap.ledger.services import post_batch

    def work() -> None:
        post_batch(
            [
                JournalEntry(
                    book="fiscal_pool",
                    date=DAY,
                    memo="benchmark batch entry",
                    idempotency_key=f"{prefix}-{i}",
                    postings=tuple(_postings("fiscal_pool", i)),
                )
                for i in range(BATCH_N)
            ],
            actor=actor,
        )

    return rate(BATCH_N, work)


def _in_processes(*loops: Callable[[], None]) -> None:
    """Run each loop in a process of its own (forked: no interpreter lock shared between the
    writers, each opens its own database connection) and wait for all of them."""
    from django.db import connections

    connections.close_all()  # a connection must never cross a fork
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=loop) for loop in loops]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a writer process failed with exit code {p.exitcode}")


def _sqlite_figures(scratch: Path) -> list[Result]:
    actor = _actor()
    bare = _BareSqlite(scratch / "bare.sqlite3")
    runs = iter(range(100))
    service, bare_single = best_interleaved(
        RUNS,
        lambda: rate(
            SINGLE_N, lambda: _post_loop("fiscal_pool", f"s{next(runs)}", SINGLE_N, actor)
        ),
        lambda: rate(SINGLE_N, lambda: bare.entries(SINGLE_N)),
    )
    batch, bare_batch = best_interleaved(
        BATCH_RUNS,
        lambda: _batch_rate(f"b{next(runs)}", actor),
        lambda: rate(BATCH_N, lambda: bare.batch(BATCH_N)),
    )
    return [
        Result(
            "SQLite: entries/s, one transaction each",
            service,
            "entries/s",
            2500,
            "bare sqlite3 loop, same two-leg entry",
            bare_single,
        ),
        Result(
            "SQLite: batch entries/s, one transaction",
            batch,
            "entries/s",
            20_000,
            "bare sqlite3 executemany of the same rows",
            bare_batch,
        ),
    ]


def _postgres_figures() -> list[Result]:
    actor = _actor()
    bare = _BarePostgres(f"{PG_SERVER}/{PG_DB}")
    runs = iter(range(100))

    def two_writers(hot: bool) -> float:
        n = next(runs)
        books = ["fiscal_pool", "fiscal_pool" if hot else "risk_compensation_pool"]
        return rate(
            2 * WRITER_N,
            lambda: _in_processes(
                *(
                    (lambda b=book, w=w: _post_loop(b, f"p{n}-{w}", WRITER_N, actor))
                    for w, book in enumerate(books)
                )
            ),
        )

    def bare_writers(hot: bool) -> float:
        n = next(runs)
        pairs = [(1, 2), (1, 2) if hot else (3, 4)]
        return rate(
            2 * WRITER_N,
            lambda: _in_processes(
                *(
                    (lambda d=d, c=c, w=w: bare.entries(WRITER_N, d, c, f"b{n}-{w}"))
                    for w, (d, c) in enumerate(pairs)
                )
            ),
        )

    service, bare_two = best_interleaved(
        RUNS, lambda: two_writers(hot=False), lambda: bare_writers(hot=False)
    )
    hot, bare_hot = best_interleaved(
        RUNS, lambda: two_writers(hot=True), lambda: bare_writers(hot=True)
    )
    batch, bare_batch = best_interleaved(
        BATCH_RUNS,
        lambda: _batch_rate(f"b{next(runs)}", actor),
        lambda: rate(BATCH_N, lambda: bare.batch(BATCH_N)),
    )
    bare.close()
    return [
        Result(
            "PostgreSQL: entries/s, 2 writers, 2 books",
            service,
            "entries/s",
            1500,
            "bare psycopg, 2 connections, same two-leg entry",
            bare_two,
        ),
        Result(
            "PostgreSQL: entries/s, 2 writers, 1 hot account",
            hot,
            "entries/s",
            None,
            "bare psycopg, 2 connections, same accounts",
            bare_hot,
        ),
        Result(
            "PostgreSQL: batch entries/s, one transaction",
            batch,
            "entries/s",
            20_000,
            "bare psycopg COPY of the same rows",
            bare_batch,
        ),
    ]


# --- Bare drivers: the same two-leg entry without the platform --------------------------------
_BARE_SCHEMA = [
    "CREATE TABLE bare_balance (id integer PRIMARY KEY, balance bigint NOT NULL)",
    "CREATE TABLE bare_entry (id {serial} PRIMARY KEY, memo text NOT NULL, key text UNIQUE)",
    "CREATE TABLE bare_posting (id {serial} PRIMARY KEY, entry_id bigint NOT NULL, "
    "account_id integer NOT NULL, amount bigint NOT NULL)",
    "INSERT INTO bare_balance VALUES (1, 1000000000), (2, 0), (3, 1000000000), (4, 0)",
]


class _BareSqlite:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for sql in _BARE_SCHEMA:
            self.db.execute(sql.format(serial="integer"))
        self.runs = 0

    def entries(self, n: int) -> None:
        self.runs += 1
        db = self.db
        for i in range(n):
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "UPDATE bare_balance SET balance = balance - 1 WHERE id = 1 AND balance >= 1"
            )
            db.execute("UPDATE bare_balance SET balance = balance + 1 WHERE id = 2")
            entry_id = db.execute(
                "INSERT INTO bare_entry (memo, key) VALUES (?, ?) RETURNING id",
                ("m", f"{self.runs}-{i}"),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO bare_posting (entry_id, account_id, amount) "
                "VALUES (?, 1, 1), (?, 2, 1)",
                (entry_id, entry_id),
            )
            db.execute("COMMIT")

    def batch(self, n: int) -> None:
        self.runs += 1
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        (top,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM bare_entry").fetchone()
        db.executemany(
            "INSERT INTO bare_entry (id, memo, key) VALUES (?, ?, ?)",
            [(top + i + 1, "m", f"b{self.runs}-{i}") for i in range(n)],
        )
        db.executemany(
            "INSERT INTO bare_posting (entry_id, account_id, amount) VALUES (?, ?, 1)",
            [(top + i + 1, a) for i in range(n) for a in (1, 2)],
        )
        db.execute("COMMIT")


class _BarePostgres:
    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.runs = 0
        self.admin = psycopg.connect(url, autocommit=True)
        for sql in _BARE_SCHEMA:
            self.admin.execute(sql.format(serial="bigserial"))

    def entries(self, n: int, debit: int, credit: int, tag: str) -> None:
        import psycopg

        with psycopg.connect(self.url) as db:
            for i in range(n):
                with db.transaction():
                    db.execute(
                        "UPDATE bare_balance SET balance = balance - 1 "
                        "WHERE id = %s AND balance >= 1",
                        (credit,),
                    )
                    db.execute(
                        "UPDATE bare_balance SET balance = balance + 1 WHERE id = %s", (debit,)
                    )
                    entry_id = db.execute(
                        "INSERT INTO bare_entry (memo, key) VALUES (%s, %s) RETURNING id",
                        ("m", f"{tag}-{i}"),
                    ).fetchone()[0]  # type: ignore[index]
                    db.execute(
                        "INSERT INTO bare_posting (entry_id, account_id, amount) "
                        "VALUES (%s, %s, 1), (%s, %s, 1)",
                        (entry_id, debit, entry_id, credit),
                    )

    def batch(self, n: int) -> None:
        import psycopg

        self.runs += 1
        with psycopg.connect(self.url) as db, db.transaction(), db.cursor() as cur:
            ids = [
                row[0]
                for row in cur.execute(
                    "SELECT nextval('bare_entry_id_seq') FROM generate_series(1, %s)", (n,)
                )
            ]
            with cur.copy("COPY bare_entry (id, memo, key) FROM STDIN") as copy:
                for i, entry_id in enumerate(ids):
                    copy.write_row((entry_id, "m", f"b{self.runs}-{i}"))
            with cur.copy("COPY bare_posting (entry_id, account_id, amount) FROM STDIN") as copy:
                for entry_id in ids:
                    copy.write_row((entry_id, 1, 1))
                    copy.write_row((entry_id, 2, 1))

    def close(self) -> None:
        self.admin.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
