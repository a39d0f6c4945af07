"""The load bench's virtual users (run by `bench/load.py`, which starts locust with this file).

Each run has one scenario: one page or endpoint. `bench/load.py` finds the targets in the
database (a topic, the open vote, a notice, homes not yet voted …) and hands them over in the
JSON file named by LOADBENCH_TARGETS:

    {"scenario": {"name", "kind": "page" | "appeal" | "ballot", "path", "login", "marker", …},
     "password": "...", "think": true | false, "seconds": 20, "out": "/tmp/…/samples.json"}

A virtual user logs in once (on_start: not measured), then repeats its one request, waiting
0.5–1.5 s between requests in the "people" shape and not at all in the "saturation" shape. A
response counts as an error unless it has the expected status (200, or the redirect that a
successful form gives) and the page's marker (a failed login must not look like success).

Only requests that start once every user is logged in count, for "seconds"; their exact
response times are written to the "out" file when the run stops, for `bench/load.py` to
compute the figures.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

TARGETS: dict[str, Any] = json.loads(
    Path(os.environ["LOADBENCH_TARGETS"]).read_text(encoding="utf-8")
)
SCENARIO: dict[str, Any] = TARGETS["scenario"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Requests a user makes to get ready (its login, the form it reads its token from).
SETUP = "(setup) "


class Window:
    """When measuring began (every user logged in) and ended, and what was measured."""

    ready = 0
    setup_failures = 0
    started: float | None = None
    deadline: float | None = None
    stopped: float | None = None
    samples: list[tuple[float, bool]] = []
    errors: Counter[str] = Counter()
    exhausted = False


def _measured(
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    if name.startswith(SETUP) or Window.started is None or Window.deadline is None:
        return
    if start_time is None or not Window.started <= start_time < Window.deadline:
        return
    Window.samples.append((response_time, exception is None))
    if exception is not None:
        Window.errors[str(exception)[:200]] += 1


def _write(**kwargs: Any) -> None:
    Window.stopped = time.time()
    Path(TARGETS["out"]).write_text(
        json.dumps(
            {
                "started": Window.started,
                "stopped": min(Window.stopped, Window.deadline or Window.stopped),
                "samples": Window.samples,
                "errors": dict(Window.errors.most_common(5)),
                "exhausted": Window.exhausted,
                "setup_failures": Window.setup_failures,
            }
        ),
        encoding="utf-8",
    )


events.request.add_listener(_measured)  # type: ignore[no-untyped-call]
events.test_stop.add_listener(_write)  # type: ignore[no-untyped-call]


def _end_run(environment: Any) -> None:
    """Stop the run from a greenlet of its own: a user that stopped the runner itself would be
    killed among the users before the stop completes, and the run would hang."""
    gevent.spawn(environment.runner.quit)


def _token(body: str) -> str:
    found = CSRF.search(body)
    if found is None:
        raise StopUser("no CSRF token on the page")
    return found.group(1)


class Visitor(FastHttpUser):
    """One scenario's user: logs in as the scenario's login (or stays anonymous)."""

    abstract = True
    wait_time = between(0.5, 1.5) if TARGETS["think"] else constant(0)

    def on_start(self) -> None:
        try:
            self.log_in()
            self.get_ready()
        except StopUser as stop:
            # A user that cannot get ready is an error of the run, and ends it.
            Window.setup_failures += 1
            Window.errors[f"getting ready: {stop}"[:200]] += 1
            _end_run(self.environment)
            raise
        Window.ready += 1
        runner = self.environment.runner
        if runner is not None and Window.ready == runner.target_user_count:
            # Measuring starts once every user is logged in and ready, for a fixed time.
            Window.started = time.time()
            Window.deadline = Window.started + TARGETS["seconds"]
            gevent.spawn_later(TARGETS["seconds"], self.environment.runner.quit)

    def get_ready(self) -> None:
        """What a scenario's user reads before it starts (its form's CSRF token)."""

    def log_in(self) -> None:
        login = SCENARIO.get("login")
        if not login:
            return
        page = self.client.get("/accounts/login/", name=SETUP + "login form")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": login,
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": _token(page.text or ""),
            },
            name=SETUP + "login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login as {login} refused ({answer.status_code})")
        if answer.status_code != 302:
            raise StopUser(f"login as {login} refused ({answer.status_code})")

    def expect(self, answer: Any, status: int, marker: str) -> None:
        """Mark the response a failure unless it has the status and the marker."""
        if answer.status_code != status:
            answer.failure(f"status {answer.status_code}, expected {status}")
            return
        body = answer.headers.get("Location", "") if status == 302 else (answer.text or "")
        if marker not in body:
            answer.failure(f"no {marker!r} in the {'redirect' if status == 302 else 'page'}")


class PageUser(Visitor):
    """Reads one page or API endpoint again and again."""

    abstract = SCENARIO["kind"] != "page"

    def get_ready(self) -> None:
        # Warms the server's workers up for this page (templates, lazily loaded modules).
        self.client.get(SCENARIO["path"], name=SETUP + "warm-up", allow_redirects=False)

    @task
    def read(self) -> None:
        with self.client.get(
            SCENARIO["path"], name=SCENARIO["name"], catch_response=True, allow_redirects=False
        ) as answer:
            self.expect(answer, 200, SCENARIO["marker"])


class AppealUser(Visitor):
    """Files an appeal through the real form (its CSRF token read from the page once)."""

    abstract = SCENARIO["kind"] != "appeal"
    filed = 0

    def get_ready(self) -> None:
        page = self.client.get(SCENARIO["form"], name=SETUP + "appeal form")
        self.csrf = _token(page.text or "")

    @task
    def file(self) -> None:
        AppealUser.filed += 1
        text = SCENARIO["texts"][AppealUser.filed % len(SCENARIO["texts"])]
        with self.client.post(
            SCENARIO["form"],
            data={
                "csrfmiddlewaretoken": self.csrf,
                "category": SCENARIO["category"],
                "place": SCENARIO["place"],
                "text": f"{text}（第{AppealUser.filed}次反映）",
            },
            name=SCENARIO["name"],
            catch_response=True,
            allow_redirects=False,
        ) as answer:
            self.expect(answer, 302, SCENARIO["marker"])


class BallotUser(Visitor):
    """Records door-to-door ballots, each for a home of the vote that has not voted yet."""

    abstract = SCENARIO["kind"] != "ballot"
    homes: list[str] = list(reversed(SCENARIO.get("homes", [])))

    def get_ready(self) -> None:
        page = self.client.get(SCENARIO["path"], name=SETUP + "door page")
        self.csrf = _token(page.text or "")

    @task
    def record(self) -> None:
        if not BallotUser.homes:
            # Bounded by count: every home prepared for this run has voted.
            Window.exhausted = True
            _end_run(self.environment)
            raise StopUser
        home = BallotUser.homes.pop()
        data = {"csrfmiddlewaretoken": self.csrf, "home": home, "paper_no": "", "proxy_name": ""}
        data.update({f"option_{letter}": "agree" for letter in SCENARIO["letters"]})
        with self.client.post(
            SCENARIO["path"],
            data=data,
            name=SCENARIO["name"],
            catch_response=True,
            allow_redirects=False,
        ) as answer:
            self.expect(answer, 302, f"#home-{home}")
