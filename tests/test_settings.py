"""Settings come from the environment; each case runs in a fresh interpreter, as in production."""

from __future__ import annotations

import os
import re
import secrets
import stat
import string
import subprocess
import sys
from pathlib import Path

from django.conf import settings

KEY_ALPHABET = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"


def _env(data_dir: Path, **overrides: str) -> dict[str, str]:
    # Nothing from the test run's own configuration (a PostgreSQL URL, say) may leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINLIN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["QINLIN_DATA_DIR"] = str(data_dir)
    env.update(overrides)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    setup = "import os, django\nos.environ['DJANGO_SETTINGS_MODULE'] = 'qinlin.settings'\n"
    return _run(["-c", setup + "django.setup()\n" + code], env)


def _production(data_dir: Path, **overrides: str) -> dict[str, str]:
    production = {
        "QINLIN_DEBUG": "false",
        "QINLIN_HTTPS": "true",
        "QINLIN_SECRET_KEY": "".join(secrets.choice(KEY_ALPHABET) for _ in range(60)),
        "QINLIN_ALLOWED_HOSTS": "qinlin.example.org",
    }
    return _env(data_dir, **(production | overrides))


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = _run(
        ["-m", "qinlin", "check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "no issues" in output


def test_deploy_check_catches_debug_left_on(tmp_path: Path) -> None:
    result = _run(
        ["-m", "qinlin", "check", "--deploy", "--fail-level", "WARNING"],
        _production(tmp_path, QINLIN_DEBUG="true"),
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_a_boolean_that_is_neither_true_nor_false_is_a_clear_error(tmp_path: Path) -> None:
    result = _run(["-m", "qinlin", "check"], _env(tmp_path, QINLIN_DEBUG="maybe"))
    assert result.returncode != 0
    assert "QINLIN_DEBUG must be true or false, not 'maybe'" in result.stderr


def test_chinese_and_beijing_time_are_the_defaults() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_default_sqlite_database_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    result = _python(
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
        "    cursor.execute('PRAGMA foreign_keys')\n"
        "    print(cursor.fetchone()[0])\n",
        _env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1"]
    assert (tmp_path / "qinlin.sqlite3").exists()


def test_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    code = "from django.conf import settings\nprint(settings.SECRET_KEY)\n"
    first = _python(code, _env(tmp_path))
    second = _python(code, _env(tmp_path))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    key_file = tmp_path / "secret_key"
    assert key_file.read_text(encoding="utf-8").strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins_and_writes_no_file(tmp_path: Path) -> None:
    code = "from django.conf import settings\nprint(settings.SECRET_KEY)\n"
    key = "k" * 20 + secrets.token_hex(20)
    result = _python(code, _env(tmp_path, QINLIN_SECRET_KEY=key))
    assert result.stdout.strip() == key
    assert not (tmp_path / "secret_key").exists()


def test_passwords_are_hashed_with_argon2_outside_the_tests(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.PASSWORD_HASHERS[0])"
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="qinlin.settings")
    result = _run(["-c", code], env)
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher", (
        result.stderr
    )


# --- scale-out: cache, sessions, uploads, replica (docs/operations.md) ---------------------

_SHOW_CACHE = (
    "from django.conf import settings\n"
    "cache = settings.CACHES['default']\n"
    "print(cache['BACKEND'], cache.get('LOCATION', '-'), cache['KEY_PREFIX'])\n"
    "print(sorted(cache.get('OPTIONS', {}).items()))\n"
    "print(settings.SESSION_ENGINE)\n"
)


def test_a_redis_url_puts_the_cache_and_sessions_in_redis(tmp_path: Path) -> None:
    env = _env(
        tmp_path, QINLIN_REDIS_URL="redis://127.0.0.1:6379/1", QINLIN_CACHE_PREFIX="district7"
    )
    result = _python(_SHOW_CACHE, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.cache.backends.redis.RedisCache redis://127.0.0.1:6379/1 district7",
        "[('socket_connect_timeout', 2), ('socket_timeout', 2)]",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_without_redis_the_cache_is_the_process_own_and_sessions_in_the_database(
    tmp_path: Path,
) -> None:
    result = _python(_SHOW_CACHE, _env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.cache.backends.locmem.LocMemCache - qinlin",
        "[]",
        "django.contrib.sessions.backends.db",
    ]


_S3 = {
    "QINLIN_S3_BUCKET": "qinlin-uploads",
    "QINLIN_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.example.com",
    "QINLIN_S3_REGION": "cn-hangzhou",
    "QINLIN_S3_ACCESS_KEY": "AKIDEXAMPLE",
    "QINLIN_S3_SECRET_KEY": "s3cr3t-example",
    "QINLIN_S3_PREFIX": "/district7/",
}


def test_an_s3_bucket_keeps_uploads_private_in_object_storage(tmp_path: Path) -> None:
    code = (
        "from django.core.files.storage import default_storage as s\n"
        "s._setup()\n"
        "print(type(s._wrapped).__module__, type(s._wrapped).__name__)\n"
        "w = s._wrapped\n"
        "print(w.bucket_name, w.endpoint_url, w.region_name, w.access_key, w.secret_key)\n"
        "print(w.location, w.default_acl, w.querystring_auth, w.file_overwrite)\n"
    )
    result = _python(code, _env(tmp_path, **_S3))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "storages.backends.s3 S3Storage",
        "qinlin-uploads https://oss-cn-hangzhou.example.com cn-hangzhou AKIDEXAMPLE s3cr3t-example",
        "district7 private False False",
    ]


def test_an_s3_bucket_without_keys_stops_the_start_with_what_is_missing(tmp_path: Path) -> None:
    env = _env(tmp_path, **(_S3 | {"QINLIN_S3_SECRET_KEY": ""}))
    result = _run(["-m", "qinlin", "check"], env)
    assert result.returncode != 0
    assert "QINLIN_S3_BUCKET needs QINLIN_S3_ACCESS_KEY and QINLIN_S3_SECRET_KEY" in result.stderr


def test_an_s3_bucket_without_django_storages_says_what_to_install(tmp_path: Path) -> None:
    # A None entry in sys.modules is how Python itself marks a module as not importable.
    code = (
        "import sys, os, django\n"
        "sys.modules['storages'] = None\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'qinlin.settings'\n"
        "django.setup()\n"
    )
    result = _run(["-c", code], _env(tmp_path, **_S3))
    assert result.returncode != 0
    assert "django-storages[s3] is not installed: pip install 'qinlin[s3]'" in result.stderr


def test_a_replica_url_adds_a_replica_that_tests_mirror_from_the_primary(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings\n"
        "replica = settings.DATABASES['replica']\n"
        "print(replica['ENGINE'], replica['HOST'], replica['NAME'], replica['TEST']['MIRROR'])\n"
        "print(settings.DATABASE_ROUTERS)\n"
    )
    env = _env(
        tmp_path,
        QINLIN_DATABASE_URL="postgres://qinlin@db-primary:5432/qinlin",
        QINLIN_DATABASE_REPLICA_URL="postgres://qinlin_ro@db-replica:5432/qinlin",
    )
    result = _python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.db.backends.postgresql db-replica qinlin default",
        "['qinlin.core.db.ReplicaRouter']",
    ]
    without = _python(
        "from django.conf import settings\nprint(list(settings.DATABASES))\n", _env(tmp_path)
    )
    assert without.stdout.strip() == "['default']"


def test_every_setting_is_documented() -> None:
    """Each QINLIN_ variable the code reads appears in the README's table, operations.md or
    notifications.md, so an operator can find it."""
    root = Path(__file__).resolve().parent.parent
    code = "\n".join(p.read_text(encoding="utf-8") for p in (root / "src").rglob("*.py"))
    read = set(re.findall(r"""["'](QINLIN_[A-Z0-9_]+)["']""", code))
    docs = "\n".join(
        (root / name).read_text(encoding="utf-8")
        for name in ("README.md", "docs/operations.md", "docs/notifications.md")
    )
    assert "QINLIN_S3_BUCKET" in read
    assert sorted(name for name in read if name not in docs) == []


def test_production_cookies_are_secure_http_only_and_same_site(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s\n"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_AGE)"
    )
    result = _python(code, _production(tmp_path, QINLIN_SESSION_DAYS="3"))
    assert result.stdout.split() == ["True", "True", "Lax", "True", str(3 * 86400)], result.stderr


def test_login_throttle_and_proxies_come_from_the_environment(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s\n"
        "print(s.QINLIN_LOGIN_ACCOUNT_LIMIT, s.QINLIN_LOGIN_ADDRESS_LIMIT, s.AXES_COOLOFF_TIME,"
        " s.QINLIN_TRUSTED_PROXIES, s.QINLIN_STAFF_IDLE_MINUTES)"
    )
    defaults = _python(code, _env(tmp_path))
    assert defaults.stdout.split() == ["5", "20", "0:15:00", "0", "120"], defaults.stderr
    tuned = _python(
        code,
        _env(
            tmp_path,
            QINLIN_LOGIN_ACCOUNT_LIMIT="3",
            QINLIN_TRUSTED_PROXIES="1",
            QINLIN_STAFF_IDLE_MINUTES="30",
        ),
    )
    assert tuned.stdout.split() == ["3", "20", "0:15:00", "1", "30"], tuned.stderr
    refused = _python(code, _env(tmp_path, QINLIN_TRUSTED_PROXIES="-1"))
    assert "QINLIN_TRUSTED_PROXIES must be at least 0" in refused.stderr
