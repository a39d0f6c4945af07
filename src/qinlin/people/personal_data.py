"""A person's data on their request (PIPL arts. 45 and 47): everything about them, or its erasure.

This is the one place that knows where a person appears across the apps; docs/privacy.md is
its register, and tests/people/test_privacy_register.py keeps the two in step with the
models. Erasure pseudonymises instead of deleting, because a ballot, a tally and the count
of appeals are records of a community decision that outlive the account (PIPL art. 47's
exception for what other laws require to be kept: Civil Code art. 278 votes and the audit).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from qinlin.api.models import ApiToken
from qinlin.appeals.models import Appeal, AppealPhoto
from qinlin.core.audit import audit_record
from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.disclosure.models import DisclosureRequest, Objection
from qinlin.evaluation.models import Answer, CampaignResponse, SurveyResponse
from qinlin.notify.models import Notification, Preferences, Status
from qinlin.organisations.models import PartyMembership, Registration
from qinlin.people.models import PasswordReset, Person, Residency, ResidencyStatus, RoleAssignment
from qinlin.people.selectors import person_forget_roles
from qinlin.topics.models import Participant
from qinlin.votes.models import Ballot
from qinlin.works.models import BidComment

ERASED_NAME = "已注销用户 {uid}"
# Outside phone_validator's 1[3-9]… so it can never be a real number or a login.
ERASED_PHONE = "erased-{uid}"
# What stays of a free text the person wrote: that there was one.
ERASED_TEXT = "（内容已应本人要求删除）"


def _may(actor: Person, person: Person) -> None:
    if actor.pk != person.pk and not can(actor, "people.personal_data", person):
        raise ForbiddenError(_("您没有权限导出或删除这个人的个人信息。"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in queryset.values(*fields)]


def _their_homes(person: Person) -> Q:
    return Q(
        home__residencies__person=person,
        home__residencies__status__in=[ResidencyStatus.CONFIRMED, ResidencyStatus.ENDED],
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def person_data(person: Person) -> dict[str, Any]:
    """Everything stored about `person`, as plain JSON values. Ballots appear as receipts:
    a secret vote's choices are unreadable by everyone, the voter included."""
    responses = CampaignResponse.objects.filter(respondent=person)
    return {
        "profile": {
            "uid": person.uid,
            "name": person.name,
            "phone": person.phone or "",
            "language": person.language,
            "is_active": person.is_active,
            "date_joined": _plain(person.date_joined),
            "last_login": _plain(person.last_login),
            "email": Preferences.objects.filter(person=person)
            .values_list("email", flat=True)
            .first()
            or "",
        },
        "residencies": _rows(
            Residency.objects.filter(person=person).order_by("requested_at"),
            "uid",
            "home__name",
            "home__path",
            "relation",
            "status",
            "via",
            "note",
            "requested_at",
            "decided_at",
        ),
        "roles": _rows(
            RoleAssignment.objects.filter(person=person).order_by("starts_on"),
            "role",
            "place__name",
            "starts_on",
            "ends_on",
        ),
        "party_memberships": _rows(
            PartyMembership.objects.filter(person=person), "branch__name", "role", "joined_on"
        ),
        "appeals": _rows(
            Appeal.objects.filter(reporter=person).order_by("created_at"),
            "uid",
            "created_at",
            "category__name",
            "place__name",
            "channel",
            "status",
            "text",
            "decision_note",
        ),
        "objections": _rows(
            Objection.objects.filter(author=person).order_by("at"),
            "notice__uid",
            "notice__title",
            "at",
            "text",
            "answer",
        ),
        "disclosure_requests": _rows(
            DisclosureRequest.objects.filter(requester=person).order_by("at"),
            "uid",
            "at",
            "text",
            "status",
            "refusal_reason",
        ),
        "registrations": _rows(
            Registration.objects.filter(person=person).order_by("registered_at"),
            "activity__uid",
            "activity__title",
            "status",
            "registered_at",
            "attended_at",
            "hours",
        ),
        "survey_responses": _rows(
            SurveyResponse.objects.filter(respondent=person).order_by("at"),
            "survey__uid",
            "home__name",
            "level",
            "comment",
            "at",
        ),
        "campaign_responses": [
            {
                "campaign": row["campaign__uid"],
                "title": row["campaign__title"],
                "at": _plain(row["at"]),
                "answers": list(
                    Answer.objects.filter(response_id=row["id"])
                    .order_by("question__position")
                    .values("question__text", "value")
                ),
            }
            for row in responses.order_by("at").values(
                "id", "campaign__uid", "campaign__title", "at"
            )
        ],
        "ballots": _rows(
            Ballot.objects.filter(Q(entered_by=person) | _their_homes(person))
            .distinct()
            .order_by("cast_at"),
            "vote__uid",
            "vote__topic__title",
            "home__name",
            "channel",
            "cast_at",
            "receipt",
        ),
        "notifications": Notification.objects.filter(person=person).count(),
    }


def person_export(*, person: Person, actor: Person | None) -> bytes:
    """The person's data as one JSON file (UTF-8), for the person or the subdistrict admin
    (`actor` None is the operator at the CLI); each export is audited, since the file holds
    the full phone number."""
    if actor is not None:
        _may(actor, person)
    data = person_data(person)
    with transaction.atomic():
        audit_record(actor=actor, verb="people.person.exported", obj=person)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def person_erase(*, person: Person, actor: Person | None, reason: str) -> Person:
    """Pseudonymise a person on request: their name, phone, login, contact details, photos
    and the free texts they wrote go; their ballots, the tallies, the existence of their
    appeals and every figure stay. `actor` None is the operator at the CLI."""
    # Unlike the export, erasing is never self-service: the office checks the request first.
    if actor is not None and not can(actor, "people.personal_data", person):
        raise ForbiddenError(_("您没有权限导出或删除这个人的个人信息。"))
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("请写明删除的理由（例如本人申请的日期和方式）。"), code="reason_required"
        )
    photos = list(
        AppealPhoto.objects.filter(appeal__reporter=person).values_list("image", flat=True)
    )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.phone and person.phone.startswith("erased-"):
            raise DomainError(_("这个人的个人信息已经删除过了。"), code="already_erased")
        # The account's own records: failed logins kept for the lockout (keyed by the phone),
        # reset codes and two-step devices. None of them counts in any figure.
        AccessAttempt.objects.filter(username=person.phone).delete()
        AccessFailureLog.objects.filter(username=person.phone).delete()
        PasswordReset.objects.filter(person=person).delete()
        TOTPDevice.objects.filter(user=person).delete()
        StaticDevice.objects.filter(user=person).delete()
        person.name = ERASED_NAME.format(uid=person.uid[:6])
        person.phone = ERASED_PHONE.format(uid=person.uid)
        person.set_unusable_password()
        person.is_active = False
        person.is_staff = False
        person.is_superuser = False
        person.save()
        today = timezone.localdate()
        Residency.objects.filter(
            person=person, status__in=[ResidencyStatus.PENDING, ResidencyStatus.CONFIRMED]
        ).update(status=ResidencyStatus.ENDED, decided_at=timezone.now())
        Residency.objects.filter(person=person).update(note="")
        RoleAssignment.objects.filter(person=person).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=today)
        ).update(ends_on=today)
        Appeal.objects.filter(reporter=person).update(
            text=ERASED_TEXT, reporter_name="", reporter_phone=""
        )
        AppealPhoto.objects.filter(appeal__reporter=person).delete()
        Objection.objects.filter(author=person).update(text=ERASED_TEXT, author_name="")
        DisclosureRequest.objects.filter(requester=person).update(text=ERASED_TEXT)
        SurveyResponse.objects.filter(respondent=person).update(comment="")
        BidComment.objects.filter(author=person).update(text=ERASED_TEXT)
        Participant.objects.filter(person=person).update(name=person.name)
        Preferences.objects.filter(person=person).update(email="")
        Notification.objects.filter(
            person=person, status__in=[Status.PENDING, Status.FAILED, Status.IN_DOUBT]
        ).update(status=Status.CANCELLED)
        Notification.objects.filter(person=person).update(address="", subject="", body="")
        ApiToken.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_record(
            actor=actor,
            verb="people.person.erased",
            obj=person,
            data={"reason": reason, "photos": len(photos)},
        )
        # Files go only once the rows that name them are gone for good.
        transaction.on_commit(lambda: _delete_files(photos))
    person_forget_roles(person)
    return person
