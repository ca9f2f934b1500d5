"""The platform as it runs in production, for the end-to-end tests of background jobs: gunicorn
serving the site and `patientcap db_worker` running the jobs, as separate processes sharing one
database. Test modules import the fixtures `platform` and `start_worker` from here (as
`platform_fixture` and `start_worker_fixture`) (the browser
test lives beside the browser fixtures in tests/e2e/browser/).

Not pytest-django's `live_server`: on SQLite the test database lives in memory, where only
threads of this process can share it and only through one connection, so a worker could not run
beside the server as it does in production. Here the processes use a scratch database of their
own instead: an SQLite file under the test's tmp_path, or, when the suite runs on PostgreSQL, a
database named after the test database with "_e2e", made and dropped around the test.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from tests.support import PASSWORD

BIN = Path(sys.executable).parent
IMPORTER = "importer"

# The zone officer who imports, with a password for the browser and an API token (printed).
MAKE_USERS = f"""
from patientcap.accounts.models import Organisation, User
from patientcap.accounts.services import create_api_token
zone = Organisation.objects.create(type="zone", name="E2E Zone")
user = User(username={IMPORTER!r}, role="zone_officer", organisation=zone)
user.set_password({PASSWORD!r})
user.save()
print(create_api_token(user=user, name="e2e", days=1, by=user)[1])
"""


@dataclass
class Platform:
    url: str
    env: dict[str, str]
    token: str  # the importer's API token

    def start(self, *command: str) -> subprocess.Popen:
        return subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )


def stop(process: subprocess.Popen) -> None:
    process.terminate()  # SIGTERM: the worker finishes its task, gunicorn its requests
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_scratch() -> tuple[str, str, str]:
    """(url of the scratch database, url of the server's maintenance database, its name)."""
    db = settings.DATABASES["default"]
    name = f"{db['TEST']['NAME']}_e2e"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    server = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"{server}/{name}", f"{server}/postgres", name


def _recreate(maintenance: str, name: str, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


@pytest.fixture(scope="module", name="platform")
def platform_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The database and gunicorn, shared by a module's tests; each test starts its worker."""
    var = tmp_path_factory.mktemp("platform")
    postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if postgres:
        database_url, maintenance, name = _postgres_scratch()
        _recreate(maintenance, name, create=True)
    else:
        database_url = f"sqlite:///{var / 'e2e.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url, "PATIENTCAP_VAR_DIR": str(var), "DEBUG": "0"}
    patientcap = str(BIN / "patientcap")
    subprocess.run([patientcap, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    made = subprocess.run(
        [patientcap, "shell", "-c", MAKE_USERS], env=env, check=True, capture_output=True, text=True
    )
    port = _free_port()
    platform = Platform(
        url=f"http://127.0.0.1:{port}", env=env, token=made.stdout.strip().splitlines()[-1]
    )
    server = platform.start(
        str(BIN / "gunicorn"), "patientcap.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"
    )
    try:
        _wait_until_serving(platform.url, server)
        yield platform
    finally:
        stop(server)
        if postgres:
            _recreate(maintenance, name, create=False)


@pytest.fixture(name="start_worker")
def start_worker_fixture(platform: Platform) -> Iterator[Callable[[], None]]:
    """Start the worker with the command line of production (polling every 0.2 s, not 1 s)."""
    started: list[subprocess.Popen] = []

    def start() -> None:
        started.append(
            platform.start(
                str(BIN / "patientcap"), "db_worker", "--interval", "0.2", "--no-startup-delay"
            )
        )

    yield start
    for process in started:
        stop(process)
