"""Every transition of topics/states.py, allowed and refused, generated from the table itself."""

from __future__ import annotations

import pytest
from django.db import transaction

from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.models import AuditEvent
from qinlin.core.permissions import PERMISSIONS
from qinlin.core.roles import Role
from qinlin.people.models import Person, RoleAssignment
from qinlin.places.models import Place
from qinlin.topics.models import Topic
from qinlin.topics.services import topic_advance
from qinlin.topics.states import TRANSITIONS, Act, Stage, Transition, transition
from tests.factories import PersonFactory
from tests.topics.helpers import new_topic, satisfy

pytestmark = pytest.mark.django_db

ROLES_ON_THE_GROUND = [Role.BUILDING_HEAD, Role.PROPERTY_STAFF, Role.PARTY_MEMBER, Role.BACKBONE]


def _name(t: Transition) -> str:
    return f"{t.source}->{t.target}"


def _holder(role: Role, place: Place) -> Person:
    person = PersonFactory.create(name=f"{role.label}甲")
    RoleAssignment.objects.create(person=person, role=role, place=place)
    return person


def _at(stage: Stage, frank: Person, places: dict[str, Place]) -> Topic:
    topic = new_topic(frank, places["unit_a"])
    # The set-up jumps straight to the stage under test; the story test walks the real path.
    Topic.objects.filter(pk=topic.pk).update(stage=stage)
    topic.refresh_from_db()
    return topic


def test_every_act_is_a_permission_of_the_table() -> None:
    assert {act.value for act in Act} <= set(PERMISSIONS)


class _UndoError(Exception):
    """Raised to roll a trial transition back, so every role tries the same topic."""


ASSIGNABLE = [role for role in Role if role not in (Role.RESIDENT, Role.OWNER)]


@pytest.mark.parametrize("step", TRANSITIONS, ids=_name)
def test_each_role_holding_the_act_takes_the_transition_and_every_other_role_is_refused(
    step: Transition, frank: Person, places: dict[str, Place]
) -> None:
    topic = _at(step.source, frank, places)
    inputs = satisfy(frank, topic, step.needs)
    allowed = PERMISSIONS[step.act.value]
    for role in ASSIGNABLE:
        actor = _holder(role, places["compound_a"])
        if role not in allowed:
            with pytest.raises(ForbiddenError):
                topic_advance(topic=topic, to=step.target, actor=actor, **inputs)
            continue
        with pytest.raises(_UndoError), transaction.atomic():  # noqa: PT012 - a trial, rolled back
            topic_advance(topic=topic, to=step.target, actor=actor, **inputs)
            moved = Topic.objects.get(pk=topic.pk)
            assert moved.stage == step.target, role
            last = moved.steps.order_by("at", "id").last()
            assert last is not None
            assert (last.source, last.target, last.verb, last.actor) == (
                step.source,
                step.target,
                step.verb,
                actor,
            )
            assert AuditEvent.objects.filter(
                verb=f"topics.topic.{step.verb}", object_id=topic.uid, actor=actor
            ).exists()
            raise _UndoError
    topic.refresh_from_db()
    assert topic.stage == step.source


@pytest.mark.parametrize(
    ("step", "need"),
    [(t, n) for t in TRANSITIONS for n in t.needs],
    ids=[f"{_name(t)}-{n.value}" for t in TRANSITIONS for n in t.needs],
)
def test_each_missing_requirement_is_named_and_changes_nothing(
    step: Transition, need, frank: Person, places: dict[str, Place]
) -> None:
    topic = _at(step.source, frank, places)
    inputs = satisfy(frank, topic, step.needs, skip=need)
    steps_before = topic.steps.count()
    with pytest.raises(DomainError) as refused:
        topic_advance(topic=topic, to=step.target, actor=_grace(places), **inputs)
    assert refused.value.code == "requirements_missing"
    assert str(need.label) in str(refused.value)
    topic.refresh_from_db()
    assert topic.stage == step.source
    assert topic.steps.count() == steps_before


def _grace(places: dict[str, Place]) -> Person:
    """The subdistrict admin holds every act, so only the requirements can refuse."""
    return _holder(Role.SUBDISTRICT_ADMIN, places["subdistrict"])


@pytest.mark.parametrize("source", list(Stage), ids=str)
def test_every_transition_outside_the_table_is_refused(
    source: Stage, frank: Person, places: dict[str, Place]
) -> None:
    topic = _at(source, frank, places)
    admin = _grace(places)
    for target in Stage:
        if transition(source, target) is not None:
            continue
        with pytest.raises(ConflictError) as refused:
            topic_advance(topic=topic, to=target, actor=admin, note="x", reason="x")
        assert refused.value.code == "bad_transition"
    topic.refresh_from_db()
    assert topic.stage == source


@pytest.mark.parametrize("step", TRANSITIONS, ids=_name)
def test_the_right_role_at_another_compound_is_refused(
    step: Transition, frank: Person, places: dict[str, Place]
) -> None:
    topic = _at(step.source, frank, places)
    inputs = satisfy(frank, topic, step.needs)
    role = sorted(PERMISSIONS[step.act.value])[0]
    with pytest.raises(ForbiddenError):
        topic_advance(
            topic=topic, to=step.target, actor=_holder(role, places["compound_b"]), **inputs
        )


def test_refusals_speak_the_readers_language(frank: Person, places: dict[str, Place]) -> None:
    from django.utils import translation

    topic = _at(Stage.LOCAL, frank, places)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        topic_advance(topic=topic, to=Stage.REVIEW, actor=_grace(places))
    assert str(refused.value) == (
        "Cannot yet “Send to the community party committee for review”: please fill in the reason."
    )
