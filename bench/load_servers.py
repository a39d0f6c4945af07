"""The servers the load bench runs against: gunicorn as in production, and nginx in front of two.

Both are children of bench/load.py on 127.0.0.1, logging into the run's temporary directory,
and are stopped when it ends, whatever happens. Readiness is polled, never assumed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY_TIMEOUT = 120.0
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 10m;
    upstream qinlin {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://qinlin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the login page until it answers 200; fail with the log if the process dies."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/accounts/login/", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} was not ready within {READY_TIMEOUT:.0f} s; see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(
    port: int, env: dict[str, str], logs: Path, *, workers: int, worker_class: str, threads: int
) -> Iterator[str]:
    """`gunicorn qinlin.wsgi` on 127.0.0.1:port; yields its base URL."""
    log = logs / f"gunicorn-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "qinlin.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        "--timeout=120",
        "--graceful-timeout=10",
        "--log-level=warning",
        f"--error-logfile={log}",
        "--capture-output",
    ]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log)
        yield url
    finally:
        _stop(process)


@contextmanager
def nginx(port: int, upstreams: list[str], logs: Path) -> Iterator[str]:
    """nginx in the foreground on 127.0.0.1:port, balancing over `upstreams`; yields its URL."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("nginx is not installed: apt-get update && apt-get install -y nginx")
    prefix = logs / "nginx"
    prefix.mkdir(exist_ok=True)
    servers = "\n".join(f"        server {u.removeprefix('http://')};" for u in upstreams)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, servers=servers, port=port), encoding="utf-8")
    log = prefix / "error.log"
    with (prefix / "stdout.log").open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603
            [binary, "-p", str(prefix), "-c", str(conf)], stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log if log.exists() else prefix / "stdout.log")
        yield url
    finally:
        _stop(process)
