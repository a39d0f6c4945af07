"""Writes about topics: create, edit, options, the people responsible, and `topic_advance`,
the one service that moves a topic along the table of states.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.places.models import Place, PlaceKind
from qinlin.topics.models import Option, Step, Topic
from qinlin.topics.requirements import OPTION_NEEDS, TEXT_NEEDS, missing
from qinlin.topics.states import Stage, Transition, transition

if TYPE_CHECKING:
    from qinlin.appeals.models import Category
    from qinlin.people.models import Person

GRID_KINDS = (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT)
# Options may change until the topic goes to a vote or is decided.
OPTION_STAGES = (Stage.PROPOSED, Stage.LOCAL, Stage.REVIEW, Stage.CONSULTATION)
MAX_TEXT = 4000


def _lock(topic: Topic) -> Topic:
    return Topic.objects.select_for_update().select_related("place").get(pk=topic.pk)


def step_record(
    *,
    topic: Topic,
    actor: Person | None,
    verb: str,
    text: str = "",
    source: str = "",
    target: str = "",
    **data: Any,
) -> Step:
    """One line of the public timeline; the caller is inside its transaction."""
    return Step.objects.create(
        topic=topic, actor=actor, verb=verb, text=text, source=source, target=target, data=data
    )


def topic_create(
    *, actor: Person, title: str, description: str, category: Category, place: Place
) -> Topic:
    """A new topic in the first stage (待受理), at a grid: a community, compound, building or
    unit, raised from appeals or directly by those who keep the grid's topics."""
    if not can(actor, "topics.edit", place):
        raise ForbiddenError()
    title = title.strip()
    if not title:
        raise DomainError(_("请填写议题标题。"), code="title_required", field="title")
    if place.kind not in GRID_KINDS:
        raise DomainError(
            _("议题必须属于一个网格：小区、楼栋或单元。"), code="bad_place", field="place"
        )
    with transaction.atomic():
        topic = Topic.objects.create(
            title=title[:120],
            description=description.strip(),
            category=category,
            place=place,
            created_by=actor,
        )
        step_record(topic=topic, actor=actor, verb="created", target=Stage.PROPOSED)
        audit_record(
            actor=actor, verb="topics.topic.created", obj=topic, data={"title": topic.title}
        )
    return topic


def topic_update(
    *, actor: Person, topic: Topic, title: str, description: str, category: Category
) -> Topic:
    """Correct a topic's title, description or category while it is open."""
    if not can(actor, "topics.edit", topic.place):
        raise ForbiddenError()
    title = title.strip()
    if not title:
        raise DomainError(_("请填写议题标题。"), code="title_required", field="title")
    with transaction.atomic():
        topic = _lock(topic)
        if topic.stage in (Stage.CLOSED, Stage.REJECTED, Stage.REFERRED):
            raise ConflictError(_("议题已结束，不能再修改。"), code="topic_closed")
        before = {"title": topic.title, "category": topic.category.code}
        topic.title, topic.description, topic.category = title[:120], description.strip(), category
        topic.save(update_fields=["title", "description", "category"])
        audit_record(
            actor=actor,
            verb="topics.topic.updated",
            obj=topic,
            data={"before": before, "title": topic.title, "category": category.code},
        )
    return topic


def option_save(
    *,
    actor: Person,
    topic: Topic,
    title: str,
    description: str = "",
    estimated_cost: Decimal | None = None,
    funding: str = "",
    option: Option | None = None,
) -> Option:
    """Add an option (方案) lettered A, B, C … or correct one, until the topic goes to a vote."""
    if not can(actor, "topics.edit", topic.place):
        raise ForbiddenError()
    title = title.strip()
    if not title:
        raise DomainError(_("请填写方案名称。"), code="title_required", field="title")
    if estimated_cost is not None and estimated_cost < 0:
        raise DomainError(_("预计费用不能为负数。"), code="bad_cost", field="estimated_cost")
    with transaction.atomic():
        topic = _lock(topic)
        if topic.stage not in OPTION_STAGES:
            raise ConflictError(
                _("议题已进入“%(stage)s”阶段，方案不能再修改。")
                % {"stage": topic.get_stage_display()},
                code="options_frozen",
            )
        fields = {
            "title": title[:120],
            "description": description.strip()[:MAX_TEXT],
            "estimated_cost": estimated_cost,
            "funding": funding.strip()[:200],
        }
        if option is None:
            letter = chr(ord("A") + topic.options.count())
            option = Option.objects.create(topic=topic, letter=letter, created_by=actor, **fields)
            verb = "option_added"
        else:
            option = topic.options.get(pk=option.pk)
            for name, value in fields.items():
                setattr(option, name, value)
            option.save(update_fields=list(fields))
            verb = "option_changed"
        step_record(
            topic=topic,
            actor=actor,
            verb=verb,
            text=option.description,
            option=f"{option.letter}. {option.title}",
            cost=str(option.estimated_cost) if option.estimated_cost is not None else "",
            funding=option.funding,
        )
        audit_record(
            actor=actor,
            verb=f"topics.{verb.replace('_', '.')}",
            obj=topic,
            data={"option": option.letter, **{k: str(v) for k, v in fields.items()}},
        )
    return option


def topic_set_responsible(*, actor: Person, topic: Topic, people: Sequence[Person]) -> Topic:
    """Name the people responsible (typically a party-member backbone, the owners' committee
    and the property company's contact)."""
    if not can(actor, "topics.edit", topic.place):
        raise ForbiddenError()
    with transaction.atomic():
        topic = _lock(topic)
        topic.responsible.set(people)
        names = [p.name for p in people]
        step_record(topic=topic, actor=actor, verb="responsible_set", people=len(names))
        audit_record(
            actor=actor, verb="topics.topic.responsible_set", obj=topic, data={"people": names}
        )
    return topic


def _refusal(topic: Topic, target: str) -> Transition:
    found = transition(topic.stage, target)
    if found is None:
        raise ConflictError(
            _("议题处于“%(stage)s”阶段，不能转为“%(target)s”。")
            % {"stage": topic.get_stage_display(), "target": Stage(target).label},
            code="bad_transition",
        )
    return found


def topic_advance(*, topic: Topic, to: str, actor: Person, **inputs: Any) -> Topic:
    """Move a topic to stage `to`, as the table of states.py allows: the actor must hold the
    transition's permission at the topic's place and every requirement must be met; the
    refusal lists all that is missing. Records a public step and an audit event.

    Inputs: the text needs by their code (note, reason, referred_to, findings, tally,
    notice_draft, evaluation), `option` (an Option of this topic) where a
    decision is taken, `responsible` (people) when execution starts.
    """
    if to not in Stage.values:
        raise DomainError(_("没有这个阶段。"), code="bad_stage", field="to")
    with transaction.atomic():
        topic = _lock(topic)
        step = _refusal(topic, to)
        if not can(actor, step.act.value, topic.place):
            raise ForbiddenError(
                _("只有具备“%(act)s”职责的人员才能“%(label)s”。")
                % {"act": step.act.label, "label": step.label},
            )
        option = inputs.get("option")
        if option is not None and option.topic_id != topic.pk:
            raise DomainError(_("所选方案不属于这个议题。"), code="bad_option", field="option")
        gaps = missing(topic, step.needs, inputs)
        if gaps:
            raise DomainError(
                _("还不能“%(label)s”：%(gaps)s。") % {"label": step.label, "gaps": "；".join(gaps)},
                code="requirements_missing",
            )
        texts = {
            need.value: str(inputs[need.value]).strip()[:MAX_TEXT]
            for need in step.needs
            if need in TEXT_NEEDS
        }
        if not step.needs and str(inputs.get("note") or "").strip():
            texts["note"] = str(inputs["note"]).strip()[:MAX_TEXT]
        source = topic.stage
        topic.stage = to
        topic.stage_changed_at = timezone.now()
        fields = ["stage", "stage_changed_at"]
        data: dict[str, Any] = dict(texts)
        if option is not None and any(n in OPTION_NEEDS for n in step.needs):
            topic.decided_option = option
            topic.decision = texts.get("notice_draft", "")
            fields += ["decided_option", "decision"]
            data["option"] = f"{option.letter}. {option.title}"
        if inputs.get("responsible"):
            topic.responsible.add(*inputs["responsible"])
            data["responsible"] = [p.name for p in inputs["responsible"]]
        topic.save(update_fields=fields)
        step_record(
            topic=topic,
            actor=actor,
            verb=step.verb,
            source=source,
            target=to,
            **{k: v for k, v in data.items() if k != "responsible"},
        )
        audit_record(
            actor=actor,
            verb=f"topics.topic.{step.verb}",
            obj=topic,
            data={"from": source, "to": to, **data},
        )
    return topic


def advance_inputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The text inputs of a form or an API body, keyed as `topic_advance` expects."""
    return {need.value: raw.get(need.value, "") for need in TEXT_NEEDS if raw.get(need.value)}
