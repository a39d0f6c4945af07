"""Acceptance of the work (验收): who inspected it, what they found, photos of the site; a
passing acceptance moves the topic to evaluation through `topic_advance`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.photos import Upload, clean_photos
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.people.models import Person
from qinlin.topics.models import Topic
from qinlin.topics.services import step_record, topic_advance
from qinlin.topics.states import Act, Stage
from qinlin.works.models import Acceptance, AcceptancePhoto, TaskStatus, TenderStatus


def _unfinished(topic: Topic) -> list[str]:
    """What stands between the work and a passing acceptance, in the reader's language."""
    gaps = [
        _("任务“%(task)s”尚未完成") % {"task": title}
        for title in topic.tasks.exclude(status=TaskStatus.DONE).values_list("title", flat=True)
    ]
    gaps += [
        _("招标“%(tender)s”尚未定标") % {"tender": title}
        for title in topic.tenders.exclude(status=TenderStatus.AWARDED).values_list(
            "title", flat=True
        )
    ]
    return gaps


def work_accept(
    *,
    actor: Person,
    topic: Topic,
    held_on: date,
    participants: str,
    opinion: str,
    passed: bool,
    photos: Sequence[Upload] = (),
) -> Acceptance:
    """Record an acceptance of the topic's work. A failed one stays on record and the topic
    stays in execution for the rework; a passing one needs every task done, every tender
    awarded and at least one photo, and takes the topic to evaluation in the same transaction."""
    if not can(actor, Act.EXECUTE.value, topic.place):
        raise ForbiddenError()
    participants, opinion = participants.strip(), opinion.strip()
    if not participants:
        raise DomainError(
            _("请写明参加验收的人员。"), code="participants_required", field="participants"
        )
    if not opinion:
        raise DomainError(_("请填写验收意见。"), code="opinion_required", field="opinion")
    if held_on > timezone.localdate():
        raise DomainError(_("验收日期不能晚于今天。"), code="bad_date", field="held_on")
    if passed and not photos:
        raise DomainError(_("验收合格须附上现场照片。"), code="photos_required", field="photos")
    cleaned = clean_photos(photos)
    with transaction.atomic():
        topic = Topic.objects.select_for_update().select_related("place").get(pk=topic.pk)
        if topic.stage != Stage.EXECUTING:
            raise ConflictError(_("议题开始办理后、进入测评前才能验收。"), code="not_executing")
        gaps = _unfinished(topic) if passed else []
        if gaps:
            raise DomainError(
                _("还不能验收合格：%(gaps)s。") % {"gaps": "；".join(gaps)},
                code="work_unfinished",
            )
        acceptance = Acceptance.objects.create(
            topic=topic,
            held_on=held_on,
            participants=participants[:300],
            opinion=opinion[:4000],
            passed=passed,
            recorded_by=actor,
        )
        for photo in cleaned:
            AcceptancePhoto.objects.create(
                acceptance=acceptance, image=photo.content, width=photo.width, height=photo.height
            )
        step_record(
            topic=topic,
            actor=actor,
            verb="acceptance",
            text=acceptance.opinion,
            participants=acceptance.participants,
            held_on=held_on.isoformat(),
            passed=passed,
        )
        audit_record(
            actor=actor,
            verb="works.acceptance.recorded",
            obj=acceptance,
            data={"topic": topic.uid, "passed": passed, "photos": len(cleaned)},
        )
        if passed:
            topic_advance(topic=topic, to=Stage.EVALUATING, actor=actor)
    return acceptance
