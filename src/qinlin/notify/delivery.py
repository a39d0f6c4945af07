"""The worker's side of the outbox: claim a message, hand it to its backend, record the
outcome. A failure waits longer each time and never touches the change that caused it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from qinlin.notify.backends import DeliveryError, resend_is_safe, send
from qinlin.notify.kinds import Channel
from qinlin.notify.models import Notification, Status

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, … failed attempt; after the last, the message fails.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 720)


def backoff(attempts: int) -> timedelta | None:
    if attempts > len(BACKOFF_MINUTES):
        return None
    return timedelta(minutes=BACKOFF_MINUTES[attempts - 1])


@task()
def deliver(event_key: str) -> int:
    return deliver_due(event_key)


def deliver_due(event_key: str, *, now: datetime | None = None) -> int:
    """Send the event's messages that are due; returns how many were delivered. Each message
    is claimed at the time it is taken (`now` fixes the clock for tests): an event with
    thousands of messages takes minutes, and a claim dated at the task's start would look
    abandoned to another worker's `recover` while it is being sent."""
    due = list(
        Notification.objects.filter(
            event_key=event_key, status=Status.PENDING, due_at__lte=now or timezone.now()
        )
        .exclude(channel=Channel.IN_APP)
        .values_list("pk", flat=True)
    )
    return sum(deliver_one(pk, now=now or timezone.now()) for pk in due)


def deliver_one(pk: int, *, now: datetime) -> bool:
    # The claim commits before anything leaves, so a second worker (or this one, restarted)
    # never sends the same row: the update finds it no longer pending.
    claimed = Notification.objects.filter(pk=pk, status=Status.PENDING, due_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("robot").get(pk=pk)
    try:
        send(notification)
    except DeliveryError as error:
        if error.maybe_delivered and not resend_is_safe(notification):
            _in_doubt(notification, str(error)[:1000])
        else:
            _failed(notification, str(error)[:1000], now=now)
        return False
    except Exception as error:  # a backend bug must not stop the other messages
        logger.exception("notification %s: backend crashed", notification.uid)
        _failed(notification, f"{type(error).__name__}: {error}"[:1000], now=now)
        return False
    Notification.objects.filter(pk=pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=now, last_error=""
    )
    return True


def _in_doubt(notification: Notification, error: str) -> None:
    # The request left and no answer came back (a timeout, a dropped connection): the group
    # may have the message already, and a retry could post it twice.
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.IN_DOUBT,
        last_error=(
            _("%(error)s：发出后没有收到回复，是否重发由工作人员决定。") % {"error": error}
        )[:1000],
    )


def _failed(notification: Notification, error: str, *, now: datetime) -> None:
    wait = backoff(notification.attempts)
    if wait is None:
        Notification.objects.filter(pk=notification.pk).update(
            status=Status.FAILED, last_error=error
        )
        return
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).update(
            status=Status.PENDING, due_at=now + wait, last_error=error
        )
        deliver.using(run_after=now + wait).enqueue(notification.event_key)


def recover(*, now: datetime) -> tuple[int, int, int]:
    """After a worker died: messages left mid-send are sent again where the receiver drops
    repeats, and otherwise set aside for a person; pending messages whose task was lost are
    queued again. Returns (requeued, in doubt, rescheduled)."""
    stale = now - timedelta(seconds=settings.QINLIN_NOTIFY_LEASE_SECONDS)
    stuck = list(
        Notification.objects.filter(status=Status.SENDING, claimed_at__lt=stale).select_related(
            "robot"
        )
    )
    safe = [n.pk for n in stuck if resend_is_safe(n)]
    doubtful = [n.pk for n in stuck if n.pk not in safe]
    requeued = Notification.objects.filter(pk__in=safe, status=Status.SENDING).update(
        status=Status.PENDING, due_at=now
    )
    in_doubt = Notification.objects.filter(pk__in=doubtful, status=Status.SENDING).update(
        status=Status.IN_DOUBT,
        last_error=_("发送途中后台任务中断，是否重发由工作人员决定。"),
    )
    forgotten = (
        Notification.objects.filter(status=Status.PENDING, due_at__lt=stale)
        .exclude(channel=Channel.IN_APP)
        .values_list("event_key", flat=True)
        .distinct()[:1000]
    )
    keys = set(forgotten) | {n.event_key for n in stuck if n.pk in safe}
    for key in sorted(keys):
        deliver.enqueue(key)
    return requeued, in_doubt, len(keys)


def resend(notification: Notification, *, now: datetime) -> None:
    """A person's decision to send a failed or doubtful message once more."""
    with transaction.atomic():
        changed = Notification.objects.filter(
            pk=notification.pk, status__in=[Status.FAILED, Status.IN_DOUBT]
        ).update(status=Status.PENDING, due_at=now, attempts=0)
        if changed:
            deliver.enqueue(notification.event_key)
