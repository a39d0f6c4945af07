"""API shapes of disclosure: notices as the public reads them, their objections, channels.

A published notice's title and body were masked when it was published (privacy.py), so they
are shown as stored. Objection authors are masked here (张*明), to every caller."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import date, datetime
from typing import Any, Self

from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema
from pydantic import model_validator

from qinlin.core.masking import mask_name
from qinlin.disclosure.models import (
    Channel,
    ChannelKind,
    Notice,
    NoticeKind,
    NoticeStatus,
    Objection,
    Origin,
)


def _label(choices: type[models.TextChoices], value: str) -> str:
    """What `get_FOO_display` answers, without building the field's whole table of choices on
    each call: a list of 100 notices with their channels asked for it ~500 times (15 ms)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class NoticeFilters(Schema):
    place: str = Field(
        ..., description="Uid of a place above the home level: notices at or under it."
    )


class ChannelPlaceFilters(Schema):
    place: str = Field(..., description="Uid of the place the notice is (to be) published at.")


class ChannelRef(Schema):
    uid: str
    name: str
    kind: ChannelKind
    kind_label: str

    @staticmethod
    def resolve_kind_label(obj: Channel) -> str:
        return _label(ChannelKind, obj.kind)


class ChannelOut(ChannelRef):
    """Built from a channel with its place joined (disclosure/selectors.py `channels_for`)."""

    place: str = Field(..., description="Uid of the place the channel belongs to.")
    place_name: str

    @staticmethod
    def resolve_place(obj: Channel) -> str:
        return obj.place.uid

    @staticmethod
    def resolve_place_name(obj: Channel) -> str:
        return obj.place.name


class ObjectionOut(Schema):
    author: str = Field(..., description="Who objected, masked (张*明).")
    text: str
    at: datetime
    answer: str = Field(
        ..., description="The answer, public beside the objection; empty until then."
    )
    answered_at: datetime | None

    @staticmethod
    def resolve_author(obj: Objection) -> str:
        return mask_name(obj.author_name)


class NoticeListOut(Schema):
    """Built from a notice with its place (up to the compound), topic and channels loaded
    (disclosure/selectors.py); `objection_count` is annotated on lists and counted from the
    prefetched objections otherwise."""

    uid: str
    title: str
    kind: NoticeKind
    kind_label: str
    origin: Origin
    origin_label: str
    status: NoticeStatus = Field(
        ...,
        description="`draft`, `published` (within its notice period), `period_over` (computed "
        "from the dates) or `withdrawn`.",
    )
    status_label: str
    published_at: datetime | None
    period_ends: date | None = Field(
        ..., description="The last day of the notice period, when objections may be made."
    )
    place: str = Field(..., description="Uid of the place the notice is about.")
    address: str
    topic: str | None = Field(..., description="Uid of the topic, for a notice about one.")
    channels: list[ChannelRef] = Field(..., description="Where the notice was published.")
    objection_count: int
    withdrawn_at: datetime | None
    withdrawn_reason: str = Field(..., description="Why it was withdrawn (masked like the text).")
    url: str = Field(..., description="The notice's public page (absolute).")

    @staticmethod
    def resolve_kind_label(obj: Notice) -> str:
        return _label(NoticeKind, obj.kind)

    @staticmethod
    def resolve_origin_label(obj: Notice) -> str:
        return _label(Origin, obj.origin)

    @staticmethod
    def resolve_status(obj: Notice) -> NoticeStatus:
        return obj.status()

    @staticmethod
    def resolve_status_label(obj: Notice) -> str:
        return obj.status_label

    @staticmethod
    def resolve_place(obj: Notice) -> str:
        return obj.place.uid

    @staticmethod
    def resolve_address(obj: Notice) -> str:
        return obj.place.address

    @staticmethod
    def resolve_topic(obj: Notice) -> str | None:
        return None if obj.topic is None else obj.topic.uid

    @staticmethod
    def resolve_channels(obj: Notice) -> list[Channel]:
        return list(obj.channels.all())

    @staticmethod
    def resolve_objection_count(obj: Notice) -> int:
        counted = getattr(obj, "objection_count", None)
        return len(obj.objections.all()) if counted is None else int(counted)

    @staticmethod
    def resolve_url(obj: Notice, context: dict[str, Any]) -> str:
        request: HttpRequest = context["request"]
        return request.build_absolute_uri(reverse("public:notice", args=[obj.uid]))


class NoticeOut(NoticeListOut):
    """One notice with its text and its objections (disclosure/selectors.py `notice_get`)."""

    body: str
    period_days: int = Field(..., description="Length of the notice period in days.")
    objections: list[ObjectionOut] = Field(..., description="Objections, oldest first.")

    @staticmethod
    def resolve_objections(obj: Notice) -> list[Objection]:
        return list(obj.objections.all())


class NoticeIn(Schema):
    """Either `topic` and `subject` (a notice drafted from one of the topic's records), or
    `place`, `title` and `body` (a notice on any other matter)."""

    topic: str | None = Field(None, description="Uid of the topic the notice is about.")
    subject: str | None = Field(
        None,
        description="The record to disclose, `kind:uid`, e.g. `bids:<tender uid>`: one of "
        "the topic's records that may be disclosed now (a held meeting, a closed vote, a "
        "tender past its bidding, the funding plan, an acceptance).",
    )
    place: str | None = Field(None, description="Uid of the place, for a notice written freely.")
    title: str | None = None
    body: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        drafted = self.topic is not None or self.subject is not None
        written = self.place is not None or self.title is not None or self.body is not None
        if drafted == written:
            raise ValueError("give either topic and subject, or place, title and body")
        if drafted and (self.topic is None or self.subject is None):
            raise ValueError("a notice drafted from a topic needs both topic and subject")
        if written and (self.place is None or self.title is None or self.body is None):
            raise ValueError("a notice written freely needs place, title and body")
        return self


class PublishIn(Schema):
    channels: list[str] = Field(..., description="Uids of the channels to publish to.")
    period_days: int | None = Field(
        None,
        description="Length of the notice period in days (1 to 90); the draft's own (7 by "
        "default) when left out.",
    )
