"""/api/v1/appeals: intake for integrations (a hotline system) and the caller's inbox."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import HeaderEx, P, Query, Router, Status
from ninja.pagination import paginate

from qinlin.api.pagination import Pages
from qinlin.appeals.models import Appeal, Category, Channel
from qinlin.appeals.permissions import FILING_KINDS, can_view
from qinlin.appeals.schemas import AppealDetailOut, AppealFilters, AppealIn, AppealOut
from qinlin.appeals.selectors import InboxFilters, appeal_get, appeals_inbox
from qinlin.appeals.services import appeal_submit
from qinlin.core.errors import DomainError, NotFoundError
from qinlin.core.ratelimit import Client
from qinlin.people.current import current_person
from qinlin.places.models import Place
from qinlin.places.schemas import ErrorOut

router = Router(tags=["appeals"])

MAX_IDEMPOTENCY_KEY = 100
# A hotline system's clock may run a little ahead of ours; beyond this a time is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code.strip()).first()
    if category is None:
        raise DomainError(
            _("没有代码为“%(code)s”的诉求类别。") % {"code": code},
            code="bad_category",
            field="category",
        )
    return category


def _place(uid: str) -> Place:
    place = Place.objects.filter(uid=uid.strip()).first()
    if place is None:
        raise NotFoundError(_("找不到编号为“%(uid)s”的地点。") % {"uid": uid}, field="place")
    return place


@router.post(
    "",
    response={
        200: AppealOut,
        201: AppealOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        429: ErrorOut,
    },
    summary="Record an appeal (retries with the same Idempotency-Key return the first one)",
    description="429 `rate_limited` (with Retry-After, in seconds) after too many appeals from "
    "the caller or their address within the hour; a retry with the same Idempotency-Key is "
    "not counted again.",
)
def create_appeal(
    request: HttpRequest,
    payload: AppealIn,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias="Idempotency-Key",
            description="Up to 100 characters, unique per request of this caller. A retry "
            "with the same key returns the appeal of the first request (200) instead of a "
            "new one.",
        ),
    ] = None,
) -> Status[Appeal]:
    caller = current_person(request)
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(
            _("Idempotency-Key 最长 %(n)d 个字符。") % {"n": MAX_IDEMPOTENCY_KEY},
            code="bad_idempotency_key",
            field="Idempotency-Key",
        )
    category = _category(payload.category)
    place = _place(payload.place)
    if place.kind not in FILING_KINDS:
        raise DomainError(
            _("诉求的地点应是小区、楼栋、单元或房屋。"), code="bad_place", field="place"
        )
    created_at = payload.created_at
    if created_at is not None:
        if timezone.is_naive(created_at):
            created_at = timezone.make_aware(created_at)
        if created_at > timezone.now() + CLOCK_SKEW:
            raise DomainError(
                _("反映时间不能晚于现在。"), code="bad_created_at", field="created_at"
            )
    # A resident's own app files for the resident; any other call names its reporter.
    files_for_self = payload.channel == Channel.ONLINE and not payload.reporter_name.strip()
    appeal, created = appeal_submit(
        actor=caller,
        text=payload.text,
        category=category,
        place=place,
        channel=payload.channel,
        reporter=caller if files_for_self else None,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        created_at=created_at,
        idempotency_key=key,
        client=Client.of(request),
    )
    # Read back with the joins the response needs, the same shape whether new or retried.
    return Status(201 if created else 200, appeal_get(appeal.uid))


@router.get(
    "",
    response={200: list[AppealOut], 400: ErrorOut, 404: ErrorOut},
    summary="The caller's inbox: appeals under the places they are responsible for",
)
@paginate(Pages)
def list_appeals(request: HttpRequest, filters: Query[AppealFilters]) -> QuerySet[Appeal]:
    return appeals_inbox(
        current_person(request),
        InboxFilters(
            place=_place(filters.place) if filters.place else None,
            category=_category(filters.category) if filters.category else None,
            channel=filters.channel or "",
            status=filters.status or "",
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )


@router.get(
    "/{uid}",
    response={200: AppealDetailOut, 404: ErrorOut},
    summary="One appeal with its timeline (for its reporter and the staff in charge)",
)
def get_appeal(request: HttpRequest, uid: str) -> Appeal:
    appeal = appeal_get(uid)
    # Someone else's appeal is not there for this caller, rather than forbidden: a 403
    # would confirm that the uid exists.
    if not can_view(current_person(request), appeal):
        raise NotFoundError(_("找不到这条诉求。"))
    return appeal
