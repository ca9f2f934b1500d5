"""Running the real job worker inside a test: django-tasks-db's `db_worker --batch`, which
claims each waiting task from the queue table, runs it and returns when the queue is empty.

In-process, so it sees the test database (also SQLite's in-memory one). The worker installs
its own SIGINT/SIGTERM handlers; they are put back afterwards so Ctrl+C still stops pytest.
"""

import signal

from django.core.management import call_command

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def run_worker() -> None:
    saved = {s: signal.getsignal(s) for s in SIGNALS}
    try:
        call_command(
            "db_worker",
            batch=True,
            interval=0,
            startup_delay=False,
            reload=False,
            verbosity=0,
        )
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
