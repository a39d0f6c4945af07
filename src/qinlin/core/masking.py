"""Masking of personal data for display (PIPL: show the least that does the job)."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """138****1234 for mobile numbers; keep only the last four digits of anything else."""
    if not phone:
        return ""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) <= 4:
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_name(name: str) -> str:
    """张*明 style: first character and, for longer names, the last one."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_secret(secret: str) -> str:
    """••••abcd: enough of a key to tell which one is saved, never enough to use it. Short
    keys show nothing, since four characters of eight is half the key."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) >= 16 else "")


def mask_url(url: str) -> str:
    """A webhook address without its key: the chat platforms put the key in the query
    (?key=…, ?access_token=…) or else in the last path segment (…/hook/<token>)."""
    scheme, _sep, rest = url.partition("://")
    if not rest:
        return mask_secret(url) or "••••"
    rest = rest.split("#", 1)[0]
    where, _sep, query = rest.partition("?")
    if query:
        pairs = (pair.partition("=") for pair in query.split("&"))
        masked = "&".join(f"{name}={mask_secret(value) or '••••'}" for name, _eq, value in pairs)
        return f"{scheme}://{where}?{masked}"
    host, _slash, path = where.partition("/")
    if not path:
        return f"{scheme}://{where}"
    head, _sep, last = path.rpartition("/")
    shown = f"{head}/" if head else ""
    return f"{scheme}://{host}/{shown}{mask_secret(last) or '••••'}"
