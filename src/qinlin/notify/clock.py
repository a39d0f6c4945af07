"""What falls due with time rather than with a change: a vote about to close, an activity
tomorrow, overdue tasks and requests, the morning digest, and the worker's own recovery.
`tick` runs every minute in `qinlin worker`; each message's event key makes a second run
(or a second worker) write nothing new."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qinlin.notify.delivery import recover
from qinlin.notify.digest import digests
from qinlin.notify.events import short, vote_deadline
from qinlin.notify.kinds import Kind
from qinlin.notify.models import Notification
from qinlin.notify.outbox import Compose, Message, notify_people
from qinlin.people.models import Relation, Residency, ResidencyStatus
from qinlin.people.selectors import nearest_holders, residents_under

if TYPE_CHECKING:
    from qinlin.disclosure.models import DisclosureRequest
    from qinlin.organisations.models import Activity
    from qinlin.votes.models import Vote
    from qinlin.works.models import Task

CLOSING_WINDOW = timedelta(hours=24)


@dataclass
class TickReport:
    written: int = 0
    requeued: int = 0
    in_doubt: int = 0


def tick(now: datetime | None = None) -> TickReport:
    now = now or timezone.now()
    report = TickReport()
    report.requeued, report.in_doubt, _queued = recover(now=now)
    report.written += votes_closing(now)
    report.written += activities_tomorrow(now)
    report.written += tasks_overdue(now)
    report.written += requests_overdue(now)
    if timezone.localtime(now).time() >= time(settings.QINLIN_DIGEST_HOUR):
        report.written += digests(now)
    return report


def new_keys(keys: Iterable[str]) -> set[str]:
    """The event keys no message has been written for yet."""
    wanted = set(keys)
    done = Notification.objects.filter(event_key__in=wanted).values_list("event_key", flat=True)
    return wanted - set(done)


def votes_closing(now: datetime) -> int:
    from qinlin.votes.models import Vote

    votes = {
        f"vote-closing:{v.uid}": v
        for v in Vote.objects.filter(
            closed_at__isnull=True,
            opens_at__lte=now,
            closes_at__gt=now,
            closes_at__lte=now + CLOSING_WINDOW,
        ).select_related("topic", "scope")
    }
    written = 0
    for event_key in sorted(new_keys(votes)):
        vote = votes[event_key]
        # Only the owners of homes that have not voted yet need reminding; an owner of two
        # homes whose one home voted is still reminded of the other.
        unvoted = Residency.objects.filter(
            status=ResidencyStatus.CONFIRMED,
            relation=Relation.OWNER,
            home__path__startswith=vote.scope.path,
        ).exclude(home_id__in=vote.ballots.values("home_id"))
        owners = residents_under(vote.scope, owners_only=True).filter(
            pk__in=unvoted.values("person_id")
        )
        written += notify_people(
            kind=Kind.VOTE_CLOSING,
            event_key=event_key,
            people=owners,
            compose=_closing(vote),
            place=vote.scope,
            now=now,
        )
    return written


def _closing(vote: Vote) -> Compose:
    def compose() -> Message:
        return Message(
            _("表决即将截止：%(title)s") % {"title": vote.topic.title},
            _("截止时间 %(closes)s。您家还没有投票。") % {"closes": vote_deadline(vote)},
            reverse("votes:vote-detail", args=[vote.uid]),
        )

    return compose


def activities_tomorrow(now: datetime) -> int:
    from qinlin.organisations.models import Activity, RegistrationStatus

    tomorrow = timezone.localdate(now) + timedelta(days=1)
    activities = {
        f"activity-tomorrow:{a.uid}": a
        for a in Activity.objects.filter(cancelled_at__isnull=True, starts_at__date=tomorrow)
    }
    written = 0
    for event_key in sorted(new_keys(activities)):
        activity = activities[event_key]
        people = [
            r.person
            for r in activity.registrations.filter(
                status=RegistrationStatus.REGISTERED
            ).select_related("person")
        ]
        written += notify_people(
            kind=Kind.ACTIVITY_TOMORROW,
            event_key=event_key,
            people=people,
            compose=_tomorrow(activity),
            now=now,
        )
    return written


def _tomorrow(activity: Activity) -> Compose:
    def compose() -> Message:
        return Message(
            _("明天的活动：%(title)s") % {"title": activity.title},
            _("%(when)s，%(where)s")
            % {
                "when": date_format(timezone.localtime(activity.starts_at), "DATETIME_FORMAT"),
                "where": activity.location,
            },
            reverse("organisations:activity", args=[activity.uid]),
        )

    return compose


def tasks_overdue(now: datetime) -> int:
    from qinlin.works.models import Task, TaskStatus

    today = timezone.localdate(now)
    tasks = {
        f"task-overdue:{t.uid}": t
        for t in Task.objects.exclude(status=TaskStatus.DONE)
        .filter(due_on__lt=today)
        .select_related("topic__place", "responsible")
    }
    written = 0
    for event_key in sorted(new_keys(tasks)):
        task = tasks[event_key]
        people = [task.responsible] if task.responsible is not None else []
        people += nearest_holders("works.manage_tasks", task.topic.place)
        written += notify_people(
            kind=Kind.TASK_OVERDUE,
            event_key=event_key,
            people=people,
            compose=_task_overdue(task),
            place=task.topic.place,
            now=now,
        )
    return written


def _task_overdue(task: Task) -> Compose:
    def compose() -> Message:
        return Message(
            _("任务逾期：%(title)s") % {"title": task.title},
            _("议题“%(topic)s”，期限 %(due)s。")
            % {"topic": short(task.topic.title), "due": date_format(task.due_on)},
            reverse("topics:topic-detail", args=[task.topic.uid]),
        )

    return compose


def requests_overdue(now: datetime) -> int:
    from qinlin.disclosure.models import OPEN_REQUEST, DisclosureRequest

    today = timezone.localdate(now)
    requests = {
        f"request-overdue:{r.uid}": r
        for r in DisclosureRequest.objects.filter(
            status__in=OPEN_REQUEST, due_on__lt=today
        ).select_related("place", "assignee")
    }
    written = 0
    for event_key in sorted(new_keys(requests)):
        request = requests[event_key]
        people = (
            [request.assignee]
            if request.assignee is not None
            else nearest_holders("disclosure.requests", request.place)
        )
        written += notify_people(
            kind=Kind.REQUEST_OVERDUE,
            event_key=event_key,
            people=people,
            compose=_request_overdue(request),
            place=request.place,
            now=now,
        )
    return written


def _request_overdue(request: DisclosureRequest) -> Compose:
    def compose() -> Message:
        return Message(
            _("公开申请逾期未答复：%(text)s") % {"text": short(request.text)},
            _("应于 %(due)s 前答复。") % {"due": date_format(request.due_on)},
            reverse("disclosure:request", args=[request.uid]),
        )

    return compose
