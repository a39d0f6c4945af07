"""Writes about notifications that people make: their own choices and read marks, the group
robots of a place, a robot's test message, and sending a failed message again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from qinlin.core.ids import new_uid
from qinlin.core.permissions import can, roles_for
from qinlin.notify import delivery
from qinlin.notify.backends import robot_url_allowed
from qinlin.notify.kinds import PERSONAL_CHANNELS, SPECS, Channel, Kind
from qinlin.notify.models import Notification, Platform, Preferences, Robot, Status
from qinlin.people.models import Person
from qinlin.people.selectors import lives_under, person_active_roles
from qinlin.places.models import Place

# The kinds the events and the clock write about a place, so a place's robots may post them.
# The others are about one person (their appeal, their answer, their registration) and never
# go to a group; the digest is one person's too.
ROBOT_KINDS: tuple[Kind, ...] = (
    Kind.NEW_APPEAL,
    Kind.TASK_OVERDUE,
    Kind.REQUEST_OVERDUE,
    Kind.TOPIC_STAGE,
    Kind.VOTE_OPENED,
    Kind.VOTE_CLOSING,
    Kind.VOTE_CLOSED,
    Kind.NOTICE_PUBLISHED,
)
RESENDABLE = (Status.FAILED, Status.IN_DOUBT)


# --- a person's own ---------------------------------------------------------------------------


def preferences_save(
    *,
    actor: Person,
    email: str,
    channels: Mapping[str, Sequence[str]],
    quiet_hours: bool,
    digest: bool,
) -> Preferences:
    """Save the actor's choices. `channels` gives, for each kind it names, the channels
    besides in-app (email, sms) the actor wants it on; a kind it leaves out keeps its earlier
    choice. A choice equal to the kind's default is not stored, so the actor keeps following
    the default if it changes. The digest only changes the staff kinds; for others it is
    stored and does nothing."""
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                _("“%(email)s”不是有效的电子邮箱地址。") % {"email": email},
                code="bad_email",
                field="email",
            ) from None
    if len(email) > 254:
        raise DomainError(_("电子邮箱地址太长。"), code="bad_email", field="email")
    chosen: dict[str, list[str]] = {}
    for kind, wanted in channels.items():
        if kind not in Kind.values:
            raise DomainError(
                _("没有“%(kind)s”这类通知。") % {"kind": kind}, code="bad_kind", field="channels"
            )
        unknown = [c for c in wanted if c not in PERSONAL_CHANNELS]
        if unknown:
            raise DomainError(
                _("通知只能另选电子邮件或短信，不能选“%(channel)s”。") % {"channel": unknown[0]},
                code="bad_channel",
                field="channels",
            )
        chosen[kind] = [c.value for c in PERSONAL_CHANNELS if c in wanted]
    with transaction.atomic():
        prefs, _created = Preferences.objects.select_for_update().get_or_create(person=actor)
        stored = {k: list(v) for k, v in prefs.channels.items() if k in Kind.values}
        for kind, wanted in chosen.items():
            default = [c.value for c in SPECS[Kind(kind)].channels]
            if sorted(wanted) == sorted(default):
                stored.pop(kind, None)
            else:
                stored[kind] = wanted
        prefs.email = email
        prefs.channels = stored
        prefs.quiet_hours = quiet_hours
        prefs.digest = digest
        prefs.save()
        # The address itself stays out of the append-only log: it is personal data the
        # person may change or remove, and the log keeps what it is given for ever.
        audit_record(
            actor=actor,
            verb="notify.preferences.saved",
            obj=actor,
            data={
                "email": bool(email),
                "channels": stored,
                "quiet_hours": quiet_hours,
                "digest": digest,
            },
        )
    return prefs


def notifications_read(*, actor: Person, uids: Iterable[str] | None = None) -> int:
    """Mark the actor's own in-app messages read: those named by `uids`, or all of them.
    Naming one that is not the actor's changes nothing and says it was not found. Returns how
    many were unread before.

    No audit event: a read mark is the reader's own bookkeeping (like the time of the last
    login), not a change to anything others rely on, and it is written on every click."""
    mine = Notification.objects.filter(person=actor, channel=Channel.IN_APP)
    with transaction.atomic():
        if uids is not None:
            wanted = {u.strip() for u in uids}
            if not wanted:
                return 0
            found = set(mine.filter(uid__in=wanted).values_list("uid", flat=True))
            if found != wanted:
                raise NotFoundError(_("找不到这条通知。"), code="notification_not_found")
            mine = mine.filter(uid__in=wanted)
        return mine.filter(read_at__isnull=True).update(read_at=timezone.now())


# --- group robots -----------------------------------------------------------------------------


def _robot_fields(
    *, name: str, platform: str, url: str, secret: str, kinds: Sequence[str], language: str
) -> tuple[str, str, str, list[str]]:
    name, url, secret = name.strip(), url.strip(), secret.strip()
    if not name:
        raise DomainError(_("请填写群名称。"), code="name_required", field="name")
    if len(name) > 60:
        raise DomainError(_("群名称最多 60 个字。"), code="name_too_long", field="name")
    if platform not in Platform.values:
        raise DomainError(_("请选择群机器人的平台。"), code="bad_platform", field="platform")
    if not robot_url_allowed(url) or len(url) > 500 or any(c.isspace() for c in url):
        allowed = "、".join(settings.QINLIN_ROBOT_URL_PREFIXES)
        raise DomainError(
            _("Webhook 地址须以下列地址之一开头：%(allowed)s。请从群机器人的设置里复制完整地址。")
            % {"allowed": allowed},
            code="url_not_allowed",
            field="url",
        )
    if len(secret) > 200:
        raise DomainError(_("加签密钥最多 200 个字符。"), code="secret_too_long", field="secret")
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("请选择消息的语言。"), code="bad_language", field="language")
    unknown = [k for k in kinds if k not in Kind.values]
    if unknown:
        raise DomainError(
            _("没有“%(kind)s”这类通知。") % {"kind": unknown[0]}, code="bad_kind", field="kinds"
        )
    personal = [str(Kind(k).label) for k in kinds if k not in ROBOT_KINDS]
    if personal:
        raise DomainError(
            _("这些通知只发给本人，不能推送到群里：%(kinds)s。") % {"kinds": "、".join(personal)},
            code="personal_kind",
            field="kinds",
        )
    if not kinds:
        raise DomainError(
            _("请至少选择一类要推送到群里的通知。"), code="kinds_required", field="kinds"
        )
    return name, url, secret, [k.value for k in ROBOT_KINDS if k in kinds]


def robot_save(
    *,
    actor: Person,
    place: Place,
    name: str,
    platform: str,
    url: str,
    secret: str,
    kinds: Sequence[str],
    language: str,
    active: bool,
    quiet_hours: bool = True,
    robot: Robot | None = None,
) -> Robot:
    """Connect a chat group's robot at `place`, or change one (`robot`). Needs `notify.robots`
    at the place, and at the robot's old place when it moves. The address must be one of the
    platforms' own (settings.QINLIN_ROBOT_URL_PREFIXES): a robot may not be used to make this
    server post to any address someone types in."""
    if not can(actor, "notify.robots", place) or (
        robot is not None and not can(actor, "notify.robots", robot.place)
    ):
        raise ForbiddenError()
    name, url, secret, kinds = _robot_fields(
        name=name, platform=platform, url=url, secret=secret, kinds=kinds, language=language
    )
    with transaction.atomic():
        if robot is None:
            robot = Robot(created_by=actor)
            verb = "notify.robot.created"
        else:
            robot = Robot.objects.select_for_update().get(pk=robot.pk)
            verb = "notify.robot.changed"
        robot.place = place
        robot.name = name
        robot.platform = platform
        robot.url = url
        robot.secret = secret
        robot.kinds = kinds
        robot.language = language
        robot.quiet_hours = quiet_hours
        robot.active = active
        robot.save()
        # The key is in the address (?key=…, …/hook/<token>) as much as in the secret: only
        # the host goes into the log, and whether a secret is set.
        audit_record(
            actor=actor,
            verb=verb,
            obj=robot,
            data={
                "name": name,
                "platform": platform,
                "host": urlsplit(url).netloc,
                "secret": bool(secret),
                "kinds": kinds,
                "language": language,
                "quiet_hours": quiet_hours,
                "active": active,
            },
        )
    return robot


def robot_test(*, actor: Person, robot: Robot) -> Notification:
    """Put one test message for the robot into the outbox, to go out at once (quiet hours do
    not hold back a message someone is waiting to see). The worker sends it like any other,
    so its outcome shows in the outbox."""
    if not can(actor, "notify.robots", robot.place):
        raise ForbiddenError()
    if not robot_url_allowed(robot.url):
        raise DomainError(
            _("这个群机器人的地址已不在允许的范围内，请先修改地址。"),
            code="url_not_allowed",
            field="url",
        )
    kinds = [Kind(k) for k in robot.kinds if k in Kind.values]
    with translation.override(robot.language):
        subject = _("测试消息：“%(name)s”已接入亲邻议事") % {"name": robot.name}
        body = _("此后，%(place)s的这些通知会推送到本群：%(kinds)s。") % {
            "place": robot.place.name,
            "kinds": "、".join(str(k.label) for k in kinds) or _("（尚未选择）"),
        }
    now = timezone.now()
    event_key = f"test:{new_uid()}"
    with transaction.atomic():
        notification = Notification.objects.create(
            event_key=event_key,
            # There is no kind for a test; the robot's first kind stands in, and the event key
            # (test:…) tells a webhook receiver that this is one.
            kind=kinds[0] if kinds else Kind.NOTICE_PUBLISHED,
            channel=Channel.ROBOT,
            robot=robot,
            language=robot.language,
            subject=subject[:200],
            body=body,
            created_at=now,
            due_at=now,
        )
        audit_record(
            actor=actor,
            verb="notify.robot.tested",
            obj=robot,
            data={"notification": notification.uid},
        )
        delivery.deliver.enqueue(event_key)
    return notification


# --- the outbox -------------------------------------------------------------------------------


def _may_resend(actor: Person, notification: Notification) -> bool:
    if notification.robot is not None:
        return can(actor, "notify.outbox", notification.robot.place)
    recipient = notification.person
    if recipient is None:
        return False
    allowed = roles_for("notify.outbox")
    paths = {path for role, path in person_active_roles(actor) if role in allowed}
    return any(lives_under(recipient, path) for path in sorted(paths))


def notification_resend(*, actor: Person, notification: Notification) -> Notification:
    """Send a failed or doubtful message once more. Staff with `notify.outbox` at the robot's
    place decide for a group's message; for a person's e-mail or text, staff with it at a
    place the recipient lives under. A message in doubt may already have arrived, so only a
    person, never the worker, sends it again."""
    if not _may_resend(actor, notification):
        raise ForbiddenError()
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status not in RESENDABLE:
            raise ConflictError(
                _("这条消息%(status)s，不需要重新发送。") % {"status": locked.get_status_display()},
                code="not_resendable",
            )
        delivery.resend(locked, now=timezone.now())
        audit_record(
            actor=actor,
            verb="notify.notification.resent",
            obj=locked.robot or locked,
            data={
                "notification": locked.uid,
                "status": locked.status,
                "attempts": locked.attempts,
                "channel": locked.channel,
            },
        )
        locked.refresh_from_db()
    return locked
