"""Why a page of the load bench is slow: its queries and a pyinstrument profile, in-process.

    .venv/bin/python bench/load_profile.py "topic page" --data-dir DIR
    .venv/bin/python bench/load_profile.py all --database-url postgres://…/qinlin_city

Finds the same targets as bench/load.py (bench/load_targets.py), requests the scenario's page
through Django's test client as its login (GET scenarios only), a warm-up and then --runs
times, and prints the median time and this process's CPU time (which other work on a shared
machine disturbs less; SQLite's work is in it, PostgreSQL's is not), the number of queries
and the slowest queries; with
--profile, pyinstrument's call tree of one request. `all` prints one line per GET scenario.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import data_dir, load_demo, server_env, setup_django
from load_targets import SCENARIO_ORDER, Scenario


def _client(scenario: Scenario) -> object:
    from django.test import Client

    from qinlin.people.models import Person

    client = Client()
    if scenario.login:
        client.force_login(Person.objects.get(phone=scenario.login))
    return client


def profile_one(scenario: Scenario, runs: int, *, show_profile: bool, show_queries: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(scenario)
    first = client.get(scenario.path)  # type: ignore[attr-defined]
    assert first.status_code == 200, (scenario.name, first.status_code)
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        client.get(scenario.path)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(scenario.path)  # type: ignore[attr-defined]
    spent = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(
        f"{scenario.name:<22} median {statistics.median(times):7.1f} ms "
        f"(CPU {statistics.median(cpu):6.1f} ms)  max {max(times):7.1f} ms"
        f"  {len(queries):>3} queries ({spent:6.1f} ms in the database)  {scenario.path}"
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:show_queries]
    for query in slowest:
        print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    if show_profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            client.get(scenario.path)  # type: ignore[attr-defined]
        print(profiler.output_text(unicode=True, color=False, show_all=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("scenario", help=f"'all' or one of: {', '.join(SCENARIO_ORDER)}")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--load-demo", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's call tree")
    parser.add_argument("--queries", type=int, default=0, help="print the N slowest queries")
    args = parser.parse_args()
    args.redis_url = ""
    with data_dir(args) as (path, fresh):
        env = server_env(args, path)
        if fresh:
            load_demo(env)
        setup_django(env)
        from django.conf import settings

        from load_targets import find_targets

        settings.ALLOWED_HOSTS = ["testserver"]
        targets = find_targets()
        names = SCENARIO_ORDER if args.scenario == "all" else [args.scenario]
        for name in names:
            scenario = targets.scenarios[name]
            if scenario.kind == "page":
                profile_one(
                    scenario, args.runs, show_profile=args.profile, show_queries=args.queries
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
