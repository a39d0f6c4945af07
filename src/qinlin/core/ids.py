"""Public ids: short, random, unguessable identifiers for URLs (never the sequential pk)."""

from __future__ import annotations

import secrets

# Crockford-style alphabet without look-alikes (0/O, 1/I/L) so ids survive being read aloud.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
UID_LENGTH = 12


def new_uid() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(UID_LENGTH))
