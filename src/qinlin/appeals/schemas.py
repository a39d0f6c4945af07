"""API shapes of appeals. Ids are public `uid`s; reporters' names and phones are masked."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import date, datetime

from django.utils.translation import get_language
from ninja import Field, Schema

from qinlin.appeals.models import Appeal, AppealEvent, AppealStatus, Channel
from qinlin.core.masking import mask_name
from qinlin.places.models import Place, PlaceKind

# Levels above the compound are the same for every appeal of a grid: the label leaves them out.
_ABOVE_COMPOUND = (PlaceKind.SUBDISTRICT, PlaceKind.COMMUNITY)


class AppealIn(Schema):
    text: str = Field(..., max_length=2000, description="What the resident reports.")
    category: str = Field(..., description="Category code, e.g. `property` or `parking`.")
    place: str = Field(..., description="Uid of a compound, building, unit or home.")
    channel: Channel = Field(..., description="How the appeal was heard.")
    reporter_name: str = Field(
        "",
        max_length=50,
        description="A reporter without an account (a caller). Leave empty, with channel "
        "`online`, when a resident files for themselves.",
    )
    reporter_phone: str = Field("", max_length=20, description="The caller's phone number.")
    created_at: datetime | None = Field(
        None,
        description="When the appeal was heard (ISO 8601; without an offset it is local "
        "time). Defaults to now.",
    )


class TopicRef(Schema):
    uid: str
    title: str


def _place_label(place: Place) -> str:
    """ "上河园 3号楼 2单元 101" from the selected parents: no query."""
    names: list[str] = []
    node: Place | None = place
    while node is not None and node.kind not in _ABOVE_COMPOUND:
        names.append(node.name)
        if node.kind == PlaceKind.COMPOUND:
            # The compound's own parent is not selected: reading it would cost a query a row.
            break
        node = node.parent
    return " ".join(reversed(names))


class AppealOut(Schema):
    """Built from an Appeal with category, place (to the compound), reporter and topic joined."""

    uid: str
    text: str
    category: str
    category_name: str
    place: str
    place_label: str
    channel: Channel
    status: AppealStatus
    created_at: datetime
    topic: TopicRef | None
    reporter: str
    reporter_phone_masked: str

    @staticmethod
    def resolve_category(obj: Appeal) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Appeal) -> str:
        return obj.category.label(get_language())

    @staticmethod
    def resolve_place(obj: Appeal) -> str:
        return obj.place.uid

    @staticmethod
    def resolve_place_label(obj: Appeal) -> str:
        return _place_label(obj.place)

    @staticmethod
    def resolve_topic(obj: Appeal) -> TopicRef | None:
        topic = obj.topic
        return None if topic is None else TopicRef(uid=topic.uid, title=topic.title)

    @staticmethod
    def resolve_reporter(obj: Appeal) -> str:
        return obj.reporter_display


class AppealEventOut(Schema):
    at: datetime
    status: AppealStatus
    note: str
    actor: str

    @staticmethod
    def resolve_actor(obj: AppealEvent) -> str:
        return mask_name(obj.actor.name) if obj.actor is not None else ""


class AppealDetailOut(AppealOut):
    """One appeal with its timeline, as its reporter and the staff in charge see it."""

    referred_to: str
    decision_note: str
    events: list[AppealEventOut]

    @staticmethod
    def resolve_events(obj: Appeal) -> list[AppealEvent]:
        return list(obj.events.all())


class AppealFilters(Schema):
    place: str | None = Field(None, description="Uid of a place: appeals at or under it.")
    category: str | None = Field(None, description="Category code.")
    channel: Channel | None = None
    status: AppealStatus | None = None
    date_from: date | None = Field(None, description="First day (inclusive).")
    date_to: date | None = Field(None, description="Last day (inclusive).")
