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
