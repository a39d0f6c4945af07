"""Abuse limits: how often one person, and one address, may file the things residents file.

Counters live in Django's cache in fixed windows (the window's number is part of the key), so
every process behind the same Redis shares them; `cache.add` and `cache.incr` are atomic on
Redis and on the in-process cache. The limits are the table below, which the setting
QINLIN_RATE_LIMITS may override action by action (docs/security.md §4).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import ngettext

from qinlin.core.errors import DomainError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from qinlin.people.models import Person

logger = logging.getLogger(__name__)

HOUR = 60 * 60

# The module's clock, so that tests can move time on without sleeping.
clock = time.time


@dataclass(frozen=True)
class Limit:
    """At most `per_person` attempts by one person and `per_address` from one address in each
    window of `window` seconds; 0 means that side is not limited."""

    per_person: int
    per_address: int
    window: int


LIMITS: dict[str, Limit] = {
    # A resident filing online. The address limit is three people's worth: a family or a
    # shared flat is fine, one machine cycling through many accounts is not.
    "appeals.submit": Limit(per_person=10, per_address=30, window=HOUR),
    # Staff entering what residents said at a building-door meeting or on the hotline, by
    # name and role, every entry audited: the person limit only stops a stolen staff account
    # from flooding the inbox, and the community office's one address must not block its
    # staff, nor the residents using the office's Wi-Fi (they count under appeals.submit).
    "appeals.enter": Limit(per_person=200, per_address=0, window=HOUR),
    "disclosure.objection": Limit(per_person=10, per_address=30, window=HOUR),
    "disclosure.request": Limit(per_person=5, per_address=15, window=HOUR),
    "organisations.register": Limit(per_person=20, per_address=60, window=HOUR),
}


@dataclass(frozen=True)
class Client:
    """Where a request comes from, as pages and the API pass it to services; the CLI and
    imports pass none and are not limited. The person is the service's actor."""

    address: str

    @classmethod
    def of(cls, request: HttpRequest) -> Client:
        return cls(address=client_ip(request))


class RateLimitedError(DomainError):
    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            ngettext(
                "提交太频繁，请在 %(minutes)d 分钟后再试。",
                "提交太频繁，请在 %(minutes)d 分钟后再试。",
                minutes,
            )
            % {"minutes": minutes}
        )
        self.retry_after = retry_after


def client_ip(request: HttpRequest) -> str:
    """The client's address, for rate limits and login throttling (AXES_CLIENT_IP_CALLABLE).

    Behind QINLIN_TRUSTED_PROXIES reverse proxies, each appended the address it saw to
    X-Forwarded-For, so the client is the entry the outermost trusted proxy wrote, counted
    from the right; what stands left of it came from the client and proves nothing. A request
    with fewer entries did not pass every proxy, and only its own address counts.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies: int = settings.QINLIN_TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote


def _address_key(address: str) -> str:
    """IPv6 hands each household a whole /64: one household, one counter."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def limits() -> dict[str, Limit]:
    overrides: dict[str, tuple[int, int, int]] = settings.QINLIN_RATE_LIMITS
    unknown = sorted(set(overrides) - set(LIMITS))
    if unknown:
        raise ImproperlyConfigured(
            f"QINLIN_RATE_LIMITS names unknown actions {unknown}; known: {sorted(LIMITS)}"
        )
    return {**LIMITS, **{action: Limit(*values) for action, values in overrides.items()}}


def _spend(key: str, window: int) -> int:
    # add() is a no-op when another request created the counter first; incr() is atomic.
    cache.add(key, 0, timeout=window + 60)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new counter
        cache.add(key, 1, timeout=window + 60)
        return 1


def rate_limit_check(action: str, *, person: Person, client: Client | None) -> None:
    """Count one attempt at `action` and refuse it (RateLimitedError) past either limit.

    Services call this after their own checks and before writing, so a refused attempt writes
    nothing. Attempts without a client (the CLI, imports, the demo) are not limited. A cache
    that does not answer lets the attempt through: losing an appeal is worse than a flood.
    """
    if client is None:
        return
    limit = limits()[action]
    now = clock()
    number = int(now // limit.window)
    retry_after = max(1, math.ceil((number + 1) * limit.window - now))
    counters = [(limit.per_person, f"person:{person.pk}")]
    # Without an address (a server that passes none) the person's limit is all there is;
    # one shared counter for "no address" would let one resident block everyone else.
    if client.address:
        counters.append((limit.per_address, f"address:{_address_key(client.address)}"))
    for allowed, who in counters:
        if not allowed:
            continue
        key = f"ratelimit:{action}:{who}:{number}"
        try:
            spent = _spend(key, limit.window)
        except Exception:  # any cache backend's own outage error; said in the log
            logger.warning("rate limit not checked: the cache did not answer", exc_info=True)
            return
        if spent > allowed:
            raise RateLimitedError(retry_after)
