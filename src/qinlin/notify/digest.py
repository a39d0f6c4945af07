"""The morning digest for staff who chose it: what is new, stalled or overdue in their
grids, in one message instead of one per event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.permissions import roles_for
from qinlin.notify.kinds import Kind
from qinlin.notify.models import Preferences
from qinlin.notify.outbox import Compose, Message, notify_people
from qinlin.people.models import Person
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import PATH_END

# A topic that has not moved for this long is listed as stalled.
STALLED_AFTER = timedelta(days=14)


@dataclass(frozen=True)
class Digest:
    new_appeals: int
    stalled_topics: int
    overdue_tasks: int
    overdue_requests: int

    def __bool__(self) -> bool:
        return any(
            (self.new_appeals, self.stalled_topics, self.overdue_tasks, self.overdue_requests)
        )


def _under(paths: set[str], field: str) -> Q:
    scope = Q(pk__in=[])
    for path in paths:
        scope |= Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_END})
    return scope


def digest_of(person: Person, now: datetime) -> Digest:
    from qinlin.appeals.models import Appeal
    from qinlin.disclosure.models import OPEN_REQUEST, DisclosureRequest
    from qinlin.topics.models import Topic
    from qinlin.topics.states import OPEN_STAGES
    from qinlin.works.models import Task, TaskStatus

    allowed = roles_for("appeals.triage")
    paths = {path for role, path in person_active_roles(person) if role in allowed}
    if not paths:
        return Digest(0, 0, 0, 0)
    today = timezone.localdate(now)
    return Digest(
        new_appeals=Appeal.objects.filter(
            _under(paths, "place_path"), created_at__gte=now - timedelta(days=1)
        ).count(),
        stalled_topics=Topic.objects.filter(
            _under(paths, "place_path"),
            stage__in=OPEN_STAGES,
            stage_changed_at__lt=now - STALLED_AFTER,
        ).count(),
        overdue_tasks=Task.objects.filter(_under(paths, "topic__place_path"), due_on__lt=today)
        .exclude(status=TaskStatus.DONE)
        .count(),
        overdue_requests=DisclosureRequest.objects.filter(
            _under(paths, "place__path"), status__in=OPEN_REQUEST, due_on__lt=today
        ).count(),
    )


def _compose(digest: Digest) -> Compose:
    def compose() -> Message:
        lines = [
            _("新诉求 %(n)s 件") % {"n": digest.new_appeals},
            _("超过两周未推进的议题 %(n)s 个") % {"n": digest.stalled_topics},
            _("逾期任务 %(n)s 项") % {"n": digest.overdue_tasks},
            _("逾期未答复的公开申请 %(n)s 件") % {"n": digest.overdue_requests},
        ]
        return Message(_("今日工作摘要"), "\n".join(lines), reverse("core:workspace"))

    return compose


def digests(now: datetime) -> int:
    """Write today's digest for each person who chose it and has something in it."""
    event_key = f"digest:{timezone.localdate(now).isoformat()}"
    chosen = Preferences.objects.filter(digest=True, person__is_active=True).exclude(
        person__notifications__event_key=event_key
    )
    written = 0
    for prefs in chosen.select_related("person"):
        digest = digest_of(prefs.person, now)
        if digest:
            written += notify_people(
                kind=Kind.DIGEST,
                event_key=event_key,
                people=[prefs.person],
                compose=_compose(digest),
                now=now,
            )
    return written
