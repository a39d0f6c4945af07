"""Exit 0 when a PostgreSQL server answers at the given URL (used by `make test`)."""

from __future__ import annotations

import sys


def main(url: str) -> int:
    try:
        import psycopg
    except ImportError:
        return 1
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
