"""Run every benchmark: `make bench` (or `uv run python -m benchmarks.run [name ...]`).

Each benchmark module configures its own scratch database before Django starts, so each runs in a
process of its own. Each prints its figures, their targets and their ratio to a baseline measured
in the same run; this runner prints them one after another and fails if any target is missed.
"""

import subprocess
import sys
from pathlib import Path

# Every module of this package except the runner and the shared helpers, in name order.
BENCHMARKS = sorted(
    p.stem
    for p in Path(__file__).parent.glob("*.py")
    if not p.stem.startswith("_") and p.stem != "run"
)


def main(names: list[str]) -> int:
    failed = []
    for name in names or BENCHMARKS:
        print(f"\n=== benchmarks.{name} ===", flush=True)
        rc = subprocess.call([sys.executable, "-m", f"benchmarks.{name}"])
        if rc:
            failed.append(name)
    if failed:
        print(f"\nTargets missed or errors in: {', '.join(failed)}")
        return 1
    print("\nAll benchmark targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
