"""Load bench: the main pages and API endpoints under concurrent users (issue 13, items 2–4).

    .venv/bin/python bench/load.py                      (or: make bench-load)
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/qinlin_city
    .venv/bin/python bench/load.py --nginx              two servers behind nginx vs one

Starts `gunicorn qinlin.wsgi` as in production (DEBUG off, 2 workers, 127.0.0.1 only, static
files by whitenoise) and runs locust headless against it (bench/locustfile.py), one run per
scenario (a page or endpoint) and load shape:

- "people": N virtual users, each waiting 0.5–1.5 s between requests (N from --users);
- "saturation": the same users with no wait, giving the server's capacity (--saturation-users).

Each run ramps up for --ramp seconds, then measures for --time seconds; every virtual user logs
in once (not measured) and repeats its one request. Printed per run: requests per second,
p50/p95/p99 latency in ms, errors and requests. The table is written to bench/out/ and, with
--record, into bench/RESULTS.md. Targets (issue 13 item 3), judged on "people" at 10 users:
p95 under 50 ms on SQLite, under 100 ms on PostgreSQL, the dashboard under 1 s; no errors.

Data: without --database-url, a fresh SQLite database in a temporary directory with the demo
(`qinlin demo --no-serve`: 北苑街道, 9,040 homes); --data-dir reuses one. With
--database-url the data must be there (--load-demo loads the demo into it first). What is
requested (the topic, the open vote, a notice, homes not yet voted) is found in the database
first (bench/load_targets.py). The bench files appeals and records ballots, as its users do.

--nginx: one server, then two servers (on --port and --port + 1) behind nginx on --nginx-port,
each with the saturation shape, and their throughput side by side. With --redis-url (default
redis://127.0.0.1:6379/3 for --nginx) the servers get QINLIN_REDIS_URL, for the settings that
share cache and sessions through it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_servers import gunicorn, nginx
from load_targets import SCENARIO_ORDER, SLOW_PAGES, Scenario, Targets

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
SECTION = "## Load (`bench/load.py`, `make bench-load`)"
# Issue 13 item 3: p95 at 10 users in the "people" shape.
TARGET_MS = {"sqlite": 50.0, "postgresql": 100.0}
SLOW_TARGET_MS = 1000.0
# Enough homes for the ballots a run records: people wait 1 s between requests on average.
PEOPLE_BALLOTS_PER_USER_SECOND = 1
SATURATION_BALLOTS = 5000
# Seconds the users may take to log in (argon2 is slow on purpose) before the run gives up.
LOGIN_ALLOWANCE = 120


@dataclass
class Figures:
    scenario: str
    shape: str
    users: int
    servers: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    requests: int
    note: str = ""

    def line(self) -> str:
        return (
            f"{self.scenario:<22} {self.shape:<10} {self.users:>3} users {self.servers:<9}"
            f"{self.rps:8.1f} rps  p50 {self.p50:7.1f}  p95 {self.p95:7.1f}  p99 {self.p99:7.1f} ms"
            f"  errors {self.errors:>4} / {self.requests:>5}{'  ' + self.note if self.note else ''}"
        )


def percentile(sorted_ms: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_ms:
        return 0.0
    rank = max(1, round(share * len(sorted_ms) + 0.5 - 1e-9))
    return sorted_ms[min(rank, len(sorted_ms)) - 1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--data-dir", default="", help="QINLIN_DATA_DIR to reuse (SQLite)")
    parser.add_argument(
        "--load-demo", action="store_true", help="load the demo into --database-url first"
    )
    parser.add_argument("--users", default="10,50", help="users of the people shape (10,50)")
    parser.add_argument(
        "--saturation-users", default="10", help="users of the saturation shape (10; '' = none)"
    )
    parser.add_argument("--time", type=float, default=20.0, help="seconds measured per run (20)")
    parser.add_argument("--ramp", type=float, default=3.0, help="seconds of ramp-up (3)")
    parser.add_argument(
        "--scenarios", default="", help="comma-separated names (default: all, see --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    parser.add_argument("--port", type=int, default=8200, help="the server's port (8200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (4)")
    parser.add_argument("--nginx", action="store_true", help="one server vs two behind nginx")
    parser.add_argument("--nginx-port", type=int, default=8280, help="nginx's port (8280)")
    parser.add_argument("--redis-url", default="", help="QINLIN_REDIS_URL for the servers")
    parser.add_argument("--record", action="store_true", help="add the table to RESULTS.md")
    parser.add_argument("--label", default="", help="a few words for the recorded table")
    args = parser.parse_args(argv)
    if args.nginx and not args.redis_url:
        args.redis_url = "redis://127.0.0.1:6379/3"
    return args


def server_env(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    """The environment of the servers, the demo loader and this process's own queries."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("QINLIN_", "DJANGO_", "LOADBENCH_"))
    }
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="qinlin.settings",
        QINLIN_DEBUG="false",
        QINLIN_DATA_DIR=str(data_dir),
        QINLIN_SECRET_KEY="loadbench-" + os.urandom(16).hex(),
        QINLIN_ALLOWED_HOSTS="127.0.0.1,localhost",
        QINLIN_LOG_LEVEL="WARNING",
        # One resident files hundreds of appeals a minute here on purpose: the abuse limits of
        # core/ratelimit.py would answer 429 after the tenth (docs/security.md §4).
        QINLIN_RATE_LIMITS="appeals.submit=0/0/3600",
    )
    if args.database_url:
        env["QINLIN_DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["QINLIN_REDIS_URL"] = args.redis_url
    return env


def load_demo(env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qinlin", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"demo loaded in {time.perf_counter() - started:.0f} s")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update({k: v for k, v in env.items() if k.startswith(("QINLIN_", "DJANGO_"))})
    sys.path.insert(0, env["PYTHONPATH"])
    import django

    django.setup()


def describe_data() -> tuple[str, str]:
    """(database, data size) in words, for the tables."""
    from django.conf import settings
    from django.db import connection

    from qinlin.appeals.models import Appeal
    from qinlin.places.models import Place, PlaceKind
    from qinlin.votes.models import Ballot

    with connection.cursor() as cursor:
        cursor.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        version = str(cursor.fetchone()[0]).split(" ")[0]
    homes = Place.objects.filter(kind=PlaceKind.HOME).count()
    appeals = Appeal.objects.count()
    ballots = Ballot.objects.count()
    cache = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
    database = f"{'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'} {version}"
    return database, f"{homes:,} homes, {appeals:,} appeals, {ballots:,} ballots; cache {cache}"


def machine() -> str:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({cpu or platform.processor()}), {platform.machine()}, "
        f"Python {platform.python_version()}; load average {load:.2f} at the start"
    )


def run_locust(
    scenario: Scenario,
    targets: Targets,
    *,
    url: str,
    users: int,
    think: bool,
    args: argparse.Namespace,
    work: Path,
) -> tuple[list[float], int, float, bool, dict[str, int]]:
    """(sorted response times of successes and failures, errors, seconds, exhausted, errors)."""
    out = work / "samples.json"
    out.unlink(missing_ok=True)
    spec = work / "targets.json"
    spec.write_text(
        json.dumps(
            {
                "scenario": scenario.as_json(),
                "password": targets.password,
                "think": think,
                "seconds": args.time,
                "out": str(out),
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "LOADBENCH_TARGETS": str(spec)}
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        f"--users={users}",
        f"--spawn-rate={max(1.0, users / args.ramp):.1f}",
        # A bound only: the locustfile stops the run --time seconds after the last login.
        f"--run-time={int(args.ramp + args.time + LOGIN_ALLOWANCE)}s",
        f"--host={url}",
        "--only-summary",
        "--loglevel=ERROR",
        "--stop-timeout=10",
    ]
    with (work / "locust.log").open("ab") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    if not out.exists():
        raise SystemExit(f"locust wrote no figures; see {work / 'locust.log'}")
    result = json.loads(out.read_text(encoding="utf-8"))
    samples = result["samples"]
    times = sorted(ms for ms, _ok in samples)
    errors = sum(1 for _ms, ok in samples if not ok) + result["setup_failures"]
    seconds = (result["stopped"] or 0) - (result["started"] or 0)
    return times, errors, seconds, bool(result["exhausted"]), result["errors"]


def measure(
    scenario: Scenario,
    targets: Targets,
    *,
    url: str,
    servers: str,
    shape: str,
    users: int,
    args: argparse.Namespace,
    work: Path,
) -> Figures:
    note = ""
    if scenario.kind == "ballot":
        from load_targets import ballot_homes

        need = (
            int(users * (args.time + args.ramp) * PEOPLE_BALLOTS_PER_USER_SECOND * 1.2)
            if shape == "people"
            else SATURATION_BALLOTS
        )
        vote, homes, letters, done = ballot_homes(scenario.login or "", need)
        print(f"  ballots: {done}")
        scenario.path = f"/votes/{vote}/door/"
        scenario.extra = {"homes": homes, "letters": letters}
    times, errors, seconds, exhausted, messages = run_locust(
        scenario, targets, url=url, users=users, think=shape == "people", args=args, work=work
    )
    if exhausted:
        note = f"every prepared home voted after {seconds:.1f} s"
    for message, count in messages.items():
        print(f"  error ×{count}: {message}")
    figures = Figures(
        scenario=scenario.name,
        shape=shape,
        users=users,
        servers=servers,
        rps=len(times) / seconds if seconds > 0 else 0.0,
        p50=percentile(times, 0.50),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
        errors=errors,
        requests=len(times),
        note=note,
    )
    print(figures.line(), flush=True)
    return figures


def target_for(scenario: str, vendor: str) -> float:
    return SLOW_TARGET_MS if scenario in SLOW_PAGES else TARGET_MS[vendor]


def verdict(f: Figures, vendor: str) -> str:
    if f.shape != "people" or f.users != 10:
        return ""
    limit = target_for(f.scenario, vendor)
    met = f.p95 < limit and f.errors == 0 and f.requests > 0
    return f"{'met' if met else 'MISSED'} (< {limit:.0f} ms)"


def table(rows: list[Figures], vendor: str) -> list[str]:
    lines = [
        "| scenario | shape | users | servers | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| requests | target (people, 10 users) |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for f in rows:
        remark = "; ".join(x for x in (verdict(f, vendor), f.note) if x)
        lines.append(
            f"| {f.scenario} | {f.shape} | {f.users} | {f.servers} | {f.rps:.1f} | {f.p50:.1f} "
            f"| {f.p95:.1f} | {f.p99:.1f} | {f.errors} | {f.requests} | {remark} |"
        )
    return lines


def side_by_side(rows: list[Figures]) -> list[str]:
    one = {(f.scenario, f.users): f for f in rows if f.servers == "1 server"}
    two = {(f.scenario, f.users): f for f in rows if f.servers != "1 server"}
    lines = [
        "| scenario | users | 1 server req/s | 2 servers + nginx req/s | ratio "
        "| 1 server p95 ms | 2 servers p95 ms | errors (1 / 2) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, a in one.items():
        b = two.get(key)
        if b is None:
            continue
        ratio = b.rps / a.rps if a.rps else 0.0
        lines.append(
            f"| {a.scenario} | {a.users} | {a.rps:.1f} | {b.rps:.1f} | {ratio:.2f} "
            f"| {a.p95:.1f} | {b.p95:.1f} | {a.errors} / {b.errors} |"
        )
    return lines


def record(block: list[str]) -> None:
    """Add the block at the end of the load section of RESULTS.md (made if missing)."""
    text = RESULTS.read_text(encoding="utf-8")
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n"
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    end = len(text) if following == -1 else following
    updated = text[:end].rstrip("\n") + "\n\n" + "\n".join(block) + "\n" + text[end:]
    RESULTS.write_text(updated, encoding="utf-8")


@contextmanager
def data_dir(args: argparse.Namespace) -> Iterator[tuple[Path, bool]]:
    """(QINLIN_DATA_DIR, whether the demo must be loaded); a temporary one is removed after."""
    if args.data_dir:
        path = Path(args.data_dir).resolve()
        path.mkdir(parents=True, exist_ok=True)
        empty = not args.database_url and not (path / "qinlin.sqlite3").exists()
        yield path, args.load_demo or empty
        return
    path = Path(tempfile.mkdtemp(prefix="qinlin-load-"))
    try:
        yield path, args.load_demo or not args.database_url
    finally:
        shutil.rmtree(path, ignore_errors=True)


def chosen(args: argparse.Namespace) -> list[str]:
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()] or SCENARIO_ORDER
    unknown = [n for n in names if n not in SCENARIO_ORDER]
    if unknown:
        raise SystemExit(f"unknown scenarios {unknown}; choose from: {', '.join(SCENARIO_ORDER)}")
    return [n for n in SCENARIO_ORDER if n in names]


def numbers(text: str) -> list[int]:
    return [int(n) for n in text.split(",") if n.strip()]


def run_all(
    args: argparse.Namespace, targets: Targets, env: dict[str, str], work: Path
) -> list[Figures]:
    """Every scenario and shape against one server, then (--nginx) two behind nginx."""
    from django.db import connection

    plan = [("people", n) for n in numbers(args.users)]
    plan += [("saturation", n) for n in numbers(args.saturation_users)]
    if args.nginx:
        plan = [p for p in plan if p[0] == "saturation"] or [("saturation", 10)]
    rows: list[Figures] = []
    for count in [1, 2] if args.nginx else [1]:
        with ExitStack() as running:
            urls = [
                running.enter_context(
                    gunicorn(
                        args.port + i,
                        env,
                        work,
                        workers=args.workers,
                        worker_class=args.worker_class,
                        threads=args.threads,
                    )
                )
                for i in range(count)
            ]
            url = (
                urls[0] if count == 1 else running.enter_context(nginx(args.nginx_port, urls, work))
            )
            servers = "1 server" if count == 1 else f"{count} servers + nginx"
            for name in chosen(args):
                for shape, users in plan:
                    figures = measure(
                        targets.scenarios[name],
                        targets,
                        url=url,
                        servers=servers,
                        shape=shape,
                        users=users,
                        args=args,
                        work=work,
                    )
                    rows.append(figures)
                    # This process's own queries (ballot homes) must not hold SQLite's lock.
                    connection.close()
    return rows


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(1)


def main(argv: list[str] | None = None) -> int:
    # Stopped by a signal, the bench still stops its servers and removes its files.
    signal.signal(signal.SIGTERM, _exit)
    args = parse_args(argv)
    if args.list:
        print("\n".join(SCENARIO_ORDER))
        return 0
    chosen(args)
    started_at = datetime.now(UTC)
    with ExitStack() as stack:
        path, fresh = stack.enter_context(data_dir(args))
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qinlin-locust-")))
        env = server_env(args, path)
        if fresh:
            load_demo(env)
        setup_django(env)
        from django.db import connection

        from load_targets import find_targets

        if fresh and connection.vendor == "postgresql":
            # Fresh bulk-loaded tables have no statistics yet: without them the planner picks
            # nested loops over thousands of rows (0.9 s for the people list of a compound).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        targets = find_targets()
        database, size = describe_data()
        vendor = connection.vendor
        connection.close()
        server = f"gunicorn {args.workers} workers ({args.worker_class}"
        server += f", {args.threads} threads)" if args.worker_class == "gthread" else ")"
        header = [
            f"date: {started_at:%Y-%m-%d %H:%M} UTC; machine: {machine()}",
            f"data: {database}, {size}",
            f"server: {server}, DEBUG off, 127.0.0.1; run: {args.ramp:.0f} s ramp + "
            f"{args.time:.0f} s measured; client: locust {locust_version()} (FastHttpUser)",
            *targets.facts,
        ]
        print("\n".join(header), flush=True)
        rows = run_all(args, targets, env, work)
    command = "bench/load.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    block = [
        f"### {started_at:%Y-%m-%d %H:%M} UTC — {args.label or database}",
        "",
        *(f"- {line}" for line in header),
        f"- command: `.venv/bin/python {command.strip()}`",
        "",
        *table(rows, vendor),
    ]
    if args.nginx:
        block += ["", *side_by_side(rows)]
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    report = out / f"load-{started_at:%Y%m%d-%H%M%S}.md"
    report.write_text("\n".join(block) + "\n", encoding="utf-8")
    print("\n".join(["", *table(rows, vendor)]))
    if args.nginx:
        print("\n".join(["", *side_by_side(rows)]))
    print(f"\nwritten to {report.relative_to(ROOT)}")
    if args.record:
        record(block)
        print(f"recorded in {RESULTS.relative_to(ROOT)}")
    return 1 if any(verdict(f, vendor).startswith("MISSED") for f in rows) else 0


def locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


if __name__ == "__main__":
    sys.exit(main())
