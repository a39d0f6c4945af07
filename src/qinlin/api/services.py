"""Issuing and checking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.api.models import ApiToken
from qinlin.core.audit import audit_record
from qinlin.core.errors import DomainError

if TYPE_CHECKING:
    from qinlin.people.models import Person


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, actor: Person | None, person: Person, name: str) -> tuple[ApiToken, str]:
    """A new token acting as `person`; the plain key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise DomainError(_("请填写令牌用途。"), code="name_required", field="name")
    key = "ql_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=person, name=name, key_hash=_hash(key), prefix=key[:8]
        )
        audit_record(
            actor=actor,
            verb="api.token.issued",
            obj=None,
            data={"token": token.pk, "person": person.uid},
        )
    return token, key


def api_token_revoke(*, actor: Person | None, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, verb="api.token.revoked", obj=None, data={"token": token.pk})
    return token


def api_token_person(key: str) -> Person | None:
    """The active person behind a token, or None."""
    token = (
        ApiToken.objects.select_related("person")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integration must not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
