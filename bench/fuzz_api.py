"""The long API fuzz of issue 14 (item 5), for `make soak`: tests/security/test_fuzz_api.py
with 500 generated cases per operation and role (QINLIN_FUZZ_EXAMPLES to change it).

    .venv/bin/python bench/fuzz_api.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    examples = os.environ.get("QINLIN_FUZZ_EXAMPLES", "500")
    env = {**os.environ, "QINLIN_FUZZ_EXAMPLES": examples}
    env.pop("QINLIN_DATABASE_URL", None)
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/security/test_fuzz_api.py",
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    print(f"{examples} cases per operation and role in {time.monotonic() - started:.0f} s")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
