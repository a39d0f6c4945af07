"""Writes about people: sign-up, home claims, claim codes, roles, revealing a phone number,
and the account itself: changing or resetting a password, two-step verification."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.core.roles import ASSIGNABLE_ROLES, Role
from qinlin.people.models import (
    ClaimCode,
    ConfirmedVia,
    PasswordReset,
    Person,
    Relation,
    Residency,
    ResidencyStatus,
    RoleAssignment,
    phone_validator,
)
from qinlin.people.selectors import person_forget_roles
from qinlin.places.models import Place, PlaceKind

log = logging.getLogger(__name__)

# Letters and digits that cannot be mistaken for one another on a printed slip.
CLAIM_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CLAIM_CODE_LENGTH = 8


def normalise_phone(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _require(actor: Person, action: str, obj: object) -> None:
    if not can(actor, action, obj):
        raise ForbiddenError()


def person_register(
    *, phone: str, name: str, password: str, language: str = "zh-hans", claim_code: str = ""
) -> Person:
    """Sign-up with a phone number and password. The new person acts only on public pages
    until a home claim is confirmed.

    A phone that is already on a home register (an imported owner without a login) carries
    that owner's confirmed homes and so their vote. Knowing the number is not proof of owning
    it, so such a sign-up also needs the one-time claim code printed for one of those homes.
    """
    phone = normalise_phone(phone)
    name = name.strip()
    if not name:
        raise DomainError(_("请填写姓名。"), code="name_required", field="name")
    try:
        phone_validator(phone)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid_phone", field="phone") from None
    try:
        validate_password(password)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", field="password") from None
    with transaction.atomic():
        existing = Person.objects.select_for_update().filter(phone=phone).first()
        if existing is not None and existing.has_usable_password():
            raise ConflictError(
                _("这个手机号已经注册，请直接登录。"), code="phone_taken", field="phone"
            )
        if existing is not None:
            _use_register_code(person=existing, code=claim_code)
            person = existing
            person.set_password(password)
            person.language = language
            person.save(update_fields=["password", "language"])
        else:
            person = Person(phone=phone, name=name, language=language)
            person.set_password(password)
            person.save()
        audit_record(actor=person, verb="people.person.registered", obj=person)
    return person


def _use_register_code(*, person: Person, code: str) -> None:
    """Spend a claim code printed for one of `person`'s homes, or refuse the sign-up."""
    homes = Residency.objects.filter(
        person=person, status__in=[ResidencyStatus.CONFIRMED, ResidencyStatus.PENDING]
    ).values("home")
    claim = (
        ClaimCode.objects.select_for_update()
        .filter(
            code_hash=_code_hash(code),
            home__in=homes,
            used_at__isnull=True,
            revoked_at__isnull=True,
        )
        .first()
        if code.strip()
        else None
    )
    if claim is None:
        raise DomainError(
            _(
                "这个手机号已登记在房屋名册中。为保护业主的表决权，请同时填写工作人员发放的"
                "入户认证码，或请网格员协助开通账号。"
            ),
            code="register_code_required",
            field="claim_code",
        )
    claim.used_at = timezone.now()
    claim.used_by = person
    claim.save(update_fields=["used_at", "used_by"])


def residency_claim(*, person: Person, home: Place, relation: str) -> Residency:
    """A resident says they live in `home`; staff (or a claim code) confirm it."""
    if home.kind != PlaceKind.HOME:
        raise DomainError(_("请选择具体的房屋（户）。"), code="not_a_home", field="home")
    if relation not in Relation.values:
        raise DomainError(_("请选择与房屋的关系。"), code="bad_relation", field="relation")
    try:
        with transaction.atomic():
            residency = Residency.objects.create(person=person, home=home, relation=relation)
            audit_record(
                actor=person,
                verb="people.residency.claimed",
                obj=residency,
                data={"relation": relation},
            )
    except IntegrityError:
        raise ConflictError(
            _("您已经申请过这套房屋，请等待确认。"), code="already_claimed", field="home"
        ) from None
    return residency


def residency_decide(
    *, actor: Person, residency: Residency, approve: bool, note: str = ""
) -> Residency:
    """Staff confirm or reject a claim to a home under their place."""
    _require(actor, "people.decide_residency", residency.home)
    with transaction.atomic():
        residency = Residency.objects.select_for_update().get(pk=residency.pk)
        if residency.status != ResidencyStatus.PENDING:
            raise ConflictError(_("这条申请已经处理过了。"), code="already_decided")
        residency.status = ResidencyStatus.CONFIRMED if approve else ResidencyStatus.REJECTED
        residency.via = ConfirmedVia.STAFF if approve else ""
        residency.note = note.strip()[:200]
        residency.decided_at = timezone.now()
        residency.decided_by = actor
        residency.save(update_fields=["status", "via", "note", "decided_at", "decided_by"])
        audit_record(
            actor=actor,
            verb="people.residency.confirmed" if approve else "people.residency.rejected",
            obj=residency,
            data={"note": residency.note},
        )
    person_forget_roles(residency.person)
    return residency


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def claim_codes_issue(
    *, actor: Person, place: Place, relation: str = Relation.OWNER
) -> list[tuple[Place, str]]:
    """New one-time codes for every home under `place`; earlier unused codes stop working.

    The codes are returned once, for printing; only their hashes are kept.
    """
    _require(actor, "people.issue_claim_codes", place)
    from qinlin.places.selectors import homes_under

    homes = list(homes_under(place).order_by("path"))
    now = timezone.now()
    issued: list[tuple[Place, str]] = []
    with transaction.atomic():
        ClaimCode.objects.filter(
            home__in=homes, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        rows = []
        for home in homes:
            code = "".join(secrets.choice(CLAIM_CODE_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))
            rows.append(
                ClaimCode(
                    home=home,
                    code_hash=_code_hash(code),
                    relation=relation,
                    created_by=actor,
                    created_at=now,
                )
            )
            issued.append((home, f"{code[:4]}-{code[4:]}"))
        ClaimCode.objects.bulk_create(rows)
        audit_record(
            actor=actor,
            verb="people.claim_codes.issued",
            obj=place,
            data={"homes": len(homes), "relation": relation},
        )
    return issued


def residency_claim_with_code(*, person: Person, code: str) -> Residency:
    """Enter the code printed for a home: the residency is confirmed at once."""
    with transaction.atomic():
        claim = (
            ClaimCode.objects.select_for_update()
            .select_related("home")
            .filter(code_hash=_code_hash(code), used_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if claim is None:
            raise DomainError(
                _("认证码不正确或已经使用，请核对纸条上的 8 位认证码。"),
                code="bad_claim_code",
                field="code",
            )
        now = timezone.now()
        residency = Residency.objects.filter(
            person=person, home=claim.home, status=ResidencyStatus.PENDING
        ).first()
        if Residency.objects.filter(
            person=person, home=claim.home, status=ResidencyStatus.CONFIRMED
        ).exists():
            raise ConflictError(
                _("您已经是这套房屋的住户。"), code="already_resident", field="code"
            )
        if residency is None:
            residency = Residency(person=person, home=claim.home, relation=claim.relation)
        residency.relation = claim.relation
        residency.status = ResidencyStatus.CONFIRMED
        residency.via = ConfirmedVia.CODE
        residency.decided_at = now
        residency.save()
        claim.used_at = now
        claim.used_by = person
        claim.save(update_fields=["used_at", "used_by"])
        audit_record(
            actor=person,
            verb="people.residency.confirmed",
            obj=residency,
            data={"via": "code"},
        )
    person_forget_roles(person)
    return residency


def role_assign(
    *,
    actor: Person | None,
    person: Person,
    role: str,
    place: Place,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> RoleAssignment:
    """Give `person` a role at `place`. `actor` None is the system itself (demo, import)."""
    if actor is not None:
        _require(actor, "people.assign_role", place)
    if role not in {r.value for r in ASSIGNABLE_ROLES}:
        raise DomainError(
            _("“%(role)s”不能直接任命：业主和居民身份来自房屋认证。")
            % {"role": Role(role).label if role in Role.values else role},
            code="bad_role",
            field="role",
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"), code="bad_dates", field="ends_on")
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            person=person,
            role=role,
            place=place,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by=actor,
        )
        audit_record(
            actor=actor,
            verb="people.role.assigned",
            obj=assignment,
            data={"person": person.uid, "role": role, "starts_on": starts_on, "ends_on": ends_on},
        )
    person_forget_roles(person)
    return assignment


def role_end(
    *, actor: Person, assignment: RoleAssignment, ends_on: date | None = None
) -> RoleAssignment:
    _require(actor, "people.assign_role", assignment.place)
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise DomainError(_("结束日期不能早于开始日期。"), code="bad_dates", field="ends_on")
    with transaction.atomic():
        assignment.ends_on = ends_on
        assignment.save(update_fields=["ends_on"])
        audit_record(
            actor=actor, verb="people.role.ended", obj=assignment, data={"ends_on": ends_on}
        )
    person_forget_roles(assignment.person)
    return assignment


def person_phone_reveal(*, viewer: Person, person: Person) -> str:
    """The full phone number, for roles that need it; each such view is audited."""
    if viewer.pk == person.pk:
        return person.phone or ""
    _require(viewer, "people.view_phone", person)
    audit_record(actor=viewer, verb="people.phone.revealed", obj=person)
    return person.phone or ""


# --- the account: password, reset, two-step verification --------------------------------------


def _password_check(password: str) -> None:
    try:
        validate_password(password)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", field="password") from None


def person_password_change(*, person: Person, old_password: str, new_password: str) -> Person:
    """A person sets a new password, knowing the old one. Every other session of theirs ends:
    Django ties a session to the password's hash, so the old hash opens none of them."""
    if not person.check_password(old_password):
        raise DomainError(
            _("原密码不正确，请重新输入。"), code="wrong_password", field="old_password"
        )
    _password_check(new_password)
    with transaction.atomic():
        person.set_password(new_password)
        person.save(update_fields=["password"])
        audit_record(actor=person, verb="people.person.password_changed", obj=person)
    return person


def _digest(value: str) -> str:
    return salted_hmac("qinlin.people.password_reset", value, algorithm="sha256").hexdigest()


def password_reset_request(*, phone: str, address: str | None) -> None:
    """ "Forgot password": if `phone` belongs to a person with a login, text them a six-digit
    code that works for QINLIN_RESET_CODE_MINUTES, QINLIN_RESET_CODE_ATTEMPTS guesses and
    once; a new request replaces the old code.

    It returns nothing and raises nothing, whoever the phone belongs to: the page that calls
    it must answer everyone alike. Past QINLIN_RESET_PER_PHONE_HOUR requests for a phone, or
    QINLIN_RESET_PER_ADDRESS_HOUR from an address, no more codes go out for that hour.
    """
    phone = normalise_phone(phone)
    digest = _digest(phone)
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    with transaction.atomic():
        by_phone = PasswordReset.objects.filter(phone_digest=digest, requested_at__gte=hour_ago)
        by_address = PasswordReset.objects.filter(address=address, requested_at__gte=hour_ago)
        if by_phone.count() >= settings.QINLIN_RESET_PER_PHONE_HOUR or (
            address and by_address.count() >= settings.QINLIN_RESET_PER_ADDRESS_HOUR
        ):
            return
        person = Person.objects.filter(phone=phone, is_active=True).first() if phone else None
        if person is not None and not person.has_usable_password():
            person = None
        reset = PasswordReset(
            phone_digest=digest,
            address=address,
            requested_at=now,
            expires_at=now + timedelta(minutes=settings.QINLIN_RESET_CODE_MINUTES),
        )
        if person is None:
            reset.save()
            return
        PasswordReset.objects.filter(person=person, used_at__isnull=True).update(used_at=now)
        code = f"{secrets.randbelow(10**6):06d}"
        reset.person = person
        reset.code_hash = _digest(f"{person.pk}:{code}")
        reset.save()
        audit_record(actor=None, verb="people.person.password_reset_requested", obj=person)
        with translation.override(person.language):
            text = _(
                "您正在重设密码，验证码 %(code)s，%(minutes)s 分钟内有效。如非本人操作，请忽略。"
            ) % {"code": code, "minutes": settings.QINLIN_RESET_CODE_MINUTES}
        out_id = f"reset-{reset.pk}"
        transaction.on_commit(lambda: _text_code(phone=phone, text=text, out_id=out_id))


def _text_code(*, phone: str, text: str, out_id: str) -> None:
    from qinlin.notify.backends import DeliveryError, sms_send

    # Sent at once, not through the outbox: the code lives fifteen minutes, and the outbox
    # keeps what it sends, where staff read it.
    try:
        sms_send(phone=phone, text=text, out_id=out_id)
    except DeliveryError as error:
        log.error("password-reset text not accepted: %s", error)


def password_reset_complete(*, phone: str, code: str, password: str) -> Person:
    """Set a new password with the code texted to `phone`. The code is then spent, every
    session of the person ends (their password hash changed) and the phone's failed logins
    are forgotten: whoever holds the phone has proved it."""
    _password_check(password)
    phone = normalise_phone(phone)
    now = timezone.now()
    with transaction.atomic():
        reset = (
            PasswordReset.objects.select_for_update()
            .select_related("person")
            .filter(
                person__phone=phone,
                person__is_active=True,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=settings.QINLIN_RESET_CODE_ATTEMPTS,
            )
            .order_by("-requested_at")
            .first()
            if phone
            else None
        )
        matches = reset is not None and constant_time_compare(
            reset.code_hash, _digest(f"{reset.person_id}:{code.strip()}")
        )
        if reset is not None and not matches:
            reset.attempts = F("attempts") + 1
            reset.save(update_fields=["attempts"])
        if reset is not None and matches:
            person = reset.person
            assert person is not None
            person.set_password(password)
            person.save(update_fields=["password"])
            reset.used_at = now
            reset.save(update_fields=["used_at"])
            audit_record(actor=person, verb="people.person.password_reset", obj=person)
            from axes.models import AccessAttempt

            AccessAttempt.objects.filter(username=phone).delete()
            return person
    # Outside the transaction, so that the spent guess stays counted.
    raise DomainError(
        _("验证码不正确或已失效。请核对短信中的 6 位验证码，或重新获取。"),
        code="bad_reset_code",
        field="code",
    )


def two_step_device(person: Person, *, confirmed: bool | None = True) -> TOTPDevice | None:
    """The person's authenticator-app device: the confirmed one, or the one being set up."""
    devices = TOTPDevice.objects.filter(user=person)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


def two_step_begin(*, person: Person) -> TOTPDevice:
    """Start setting up two-step verification: a new secret for the person's authenticator
    app, not yet in force. Staff roles only (core.use_workspace)."""
    _require(person, "core.use_workspace", None)
    if two_step_device(person) is not None:
        raise ConflictError(_("两步验证已经开启。"), code="two_step_on")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=person, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=person, name="authenticator", confirmed=False)
        audit_record(actor=person, verb="people.two_step.begun", obj=person)
    return device


def two_step_confirm(*, person: Person, code: str) -> TOTPDevice:
    """The first code from the app proves the secret reached it; from now on a login asks
    for a code after the password."""
    device = two_step_device(person, confirmed=False)
    if device is None:
        raise DomainError(_("请先点击“开始设置”。"), code="two_step_not_begun")
    # Outside the transaction, so that django-otp's count of wrong codes is kept.
    if not device.verify_token(code.strip()):
        raise DomainError(
            _("验证码不正确，请输入验证器应用中当前显示的 6 位数字。"),
            code="bad_two_step_code",
            field="code",
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=person, verb="people.two_step.enabled", obj=person)
    return device


def _two_step_check(person: Person, code: str) -> None:
    """A current code from the app proves it is still in hand."""
    device = two_step_device(person)
    if device is None:
        raise DomainError(_("两步验证尚未开启。"), code="two_step_off")
    if not device.verify_token(code.strip()):
        raise DomainError(
            _("验证码不正确，请输入验证器应用中当前显示的 6 位数字。"),
            code="bad_two_step_code",
            field="code",
        )


def two_step_disable(*, person: Person, code: str) -> None:
    """Turn two-step verification off (and its recovery codes), given a current code."""
    _two_step_check(person, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=person).delete()
        StaticDevice.objects.filter(user=person).delete()
        audit_record(actor=person, verb="people.two_step.disabled", obj=person)


RECOVERY_CODES = 10


def two_step_recovery_issue(*, person: Person) -> list[str]:
    """Ten one-time recovery codes for a phone left at home or lost, shown once; any earlier
    ones stop working. Digits only, so a phone's number pad types them."""
    if two_step_device(person) is None:
        raise DomainError(_("两步验证尚未开启。"), code="two_step_off")
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=person).delete()
        device = StaticDevice.objects.create(user=person, name="recovery", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        audit_record(
            actor=person,
            verb="people.two_step.recovery_issued",
            obj=person,
            data={"codes": len(codes)},
        )
    return codes


def two_step_recovery_renew(*, person: Person, code: str) -> list[str]:
    """New recovery codes in place of the old, given a current code from the app."""
    _two_step_check(person, code)
    return two_step_recovery_issue(person=person)


def two_step_recovery_device(person: Person) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=person, confirmed=True).first()
