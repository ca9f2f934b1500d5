"""The policy parameters in force for this installation: the files of settings.POLICY_DIR.

Loaded once per process and directory (the files change only with a deployment); `reload()`
reads them again, e.g. after an operator edits a file and before restarting.
"""

import threading
from datetime import date
from pathlib import Path

from django.conf import settings

from patientcap.domain.policy import InForce, PolicySet
from patientcap.policy.loader import load_directory

_lock = threading.Lock()
_cache: dict[Path, PolicySet] = {}


def _directory() -> Path:
    return Path(settings.POLICY_DIR).resolve()


def policy() -> PolicySet:
    """The parameters of settings.POLICY_DIR (a bad file raises PolicyError naming it)."""
    directory = _directory()
    found = _cache.get(directory)
    if found is None:
        with _lock:
            found = _cache[directory] = load_directory(directory)
    return found


def reload() -> PolicySet:
    with _lock:
        _cache.pop(_directory(), None)
    return policy()


def value_at(name: str, on: date) -> InForce:
    """The value of `name` in force on `on`, with the version string a decision stores."""
    return policy().value_at(name, on)
