"""API shapes of a person's in-app notifications."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import datetime

from ninja import Field, Schema

from qinlin.notify.kinds import Kind
from qinlin.notify.models import Notification


class NotificationOut(Schema):
    uid: str
    kind: Kind
    kind_label: str
    subject: str
    body: str
    link: str = Field(..., description="A path on this site (e.g. /appeals/<uid>/), or empty.")
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_kind_label(obj: Notification) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class UnreadOut(Schema):
    unread: int = Field(..., description="The caller's unread in-app notifications.")


class ReadIn(Schema):
    uids: list[str] | None = Field(
        None,
        description="The notifications to mark read; leave out (or null) to mark all of the "
        "caller's notifications read.",
    )


class ReadOut(Schema):
    marked: int = Field(..., description="How many were unread and are now read.")
    unread: int = Field(..., description="The caller's unread notifications after marking.")
