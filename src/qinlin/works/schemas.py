"""API shapes of execution: tasks with their progress, tenders with their bids and comments,
the funding plan with the homes' shares.

Amounts are exact strings in yuan with two decimals (and whole fen beside them), never floats.
Names are masked (张*明) unless the caller is staff at the topic's place; the endpoints decide
that, and whether sealed bids are shown, and build these shapes with `of(...)`."""

# No `from __future__ import annotations`: ninja reads these annotations at run time.
from datetime import date, datetime
from decimal import Decimal
from typing import Self

from django.urls import reverse
from ninja import Field, Schema

from qinlin.core.masking import mask_name
from qinlin.places.models import Place
from qinlin.works.models import (
    Bid,
    BidComment,
    FundingLine,
    FundingPlan,
    FundingSource,
    HomeShare,
    PaymentStatus,
    ShareMode,
    Task,
    TaskReport,
    TaskStatus,
    Tender,
    TenderStatus,
    yuan,
)

NAME_NOTE = "Masked (张*明) unless the caller is staff at the topic's place."


def _name(name: str, *, full: bool) -> str:
    return name if full else mask_name(name)


def _counted(plan: FundingPlan, annotation: str) -> int:
    """A count `funding_of` annotated on the plan."""
    return int(getattr(plan, annotation, 0) or 0)


def _price(price: Decimal) -> str:
    # Decimal formatting is exact; the column has two decimal places.
    return f"{price:.2f}"


# --- tasks -----------------------------------------------------------------------------------


class ReportOut(Schema):
    at: datetime
    text: str
    status: TaskStatus = Field(..., description="The status the report left the task in.")
    status_label: str
    actor: str = Field(..., description=f"Who reported. {NAME_NOTE}")
    photos: list[str] = Field(
        ...,
        description="Paths of the progress photos on this site, served to signed-in people "
        "who may read the topic.",
    )

    @classmethod
    def of(cls, report: TaskReport, *, full_names: bool) -> Self:
        return cls(
            at=report.at,
            text=report.text,
            status=TaskStatus(report.status),
            status_label=str(report.get_status_display()),
            actor=_name(report.actor.name, full=full_names),
            photos=[reverse("works:photo", args=[photo.pk]) for photo in report.photos.all()],
        )


class TaskOut(Schema):
    """Built from a task with `responsible` joined and reports, actors and photos prefetched
    (works/selectors.py `tasks_of`)."""

    uid: str
    title: str
    responsible: str = Field(..., description=f"The person responsible. {NAME_NOTE}")
    due_on: date
    status: TaskStatus
    status_label: str
    overdue: bool = Field(..., description="Past its due date and not done.")
    done_at: datetime | None
    reports: list[ReportOut] = Field(..., description="Progress reports, oldest first.")

    @classmethod
    def of(cls, task: Task, *, full_names: bool) -> Self:
        return cls(
            uid=task.uid,
            title=task.title,
            responsible=_name(task.responsible.name, full=full_names),
            due_on=task.due_on,
            status=TaskStatus(task.status),
            status_label=str(task.get_status_display()),
            overdue=task.is_overdue(),
            done_at=task.done_at,
            reports=[ReportOut.of(r, full_names=full_names) for r in task.reports.all()],
        )


class ReportIn(Schema):
    text: str = Field(..., description="What was done.")
    status: str = Field(
        ...,
        description="The status the task is left in: `todo`, `doing` or `done`. Any other "
        "value is refused with 400 `bad_status`.",
        json_schema_extra={"enum": list(TaskStatus.values)},
    )


# --- tenders ---------------------------------------------------------------------------------


class BidOut(Schema):
    vendor: str
    price: str = Field(..., description="Yuan, two decimals, exact.")
    product: str
    qualifications: str

    @classmethod
    def of(cls, bid: Bid) -> Self:
        return cls(
            vendor=bid.vendor,
            price=_price(bid.price),
            product=bid.product,
            qualifications=bid.qualifications,
        )


class AwardOut(Schema):
    vendor: str
    price: str = Field(..., description="Yuan, two decimals, exact.")
    reason: str = Field(..., description="Why this bid was chosen.")


class CommentOut(Schema):
    at: datetime
    text: str
    author: str = Field(..., description=NAME_NOTE)

    @classmethod
    def of(cls, comment: BidComment, *, full_names: bool) -> Self:
        return cls(
            at=comment.at, text=comment.text, author=_name(comment.author.name, full=full_names)
        )


class TenderOut(Schema):
    """Built from a tender with `awarded_bid` joined and bids and comments (with authors)
    prefetched (works/selectors.py `tenders_of`)."""

    uid: str
    title: str
    requirements: str
    deadline: datetime = Field(..., description="Bids are received until this time.")
    status: TenderStatus
    status_label: str
    published_at: datetime | None
    award: AwardOut | None = Field(..., description="The winning bid, once awarded.")
    bids_sealed: bool = Field(
        ...,
        description="True while the tender is open and the caller does not run it: the bids "
        "are then withheld until they are published.",
    )
    bids: list[BidOut] | None = Field(
        ..., description="The bids, cheapest first; null while they are sealed to the caller."
    )
    comments: list[CommentOut] = Field(
        ..., description="Residents' comments on the published bids, oldest first."
    )

    @classmethod
    def of(cls, tender: Tender, *, full_names: bool, bids_shown: bool) -> Self:
        bid = tender.awarded_bid if tender.status == TenderStatus.AWARDED else None
        return cls(
            uid=tender.uid,
            title=tender.title,
            requirements=tender.requirements,
            deadline=tender.deadline,
            status=TenderStatus(tender.status),
            status_label=str(tender.get_status_display()),
            published_at=tender.published_at,
            award=None
            if bid is None
            else AwardOut(vendor=bid.vendor, price=_price(bid.price), reason=tender.award_reason),
            bids_sealed=not bids_shown,
            bids=[BidOut.of(b) for b in tender.bids.all()] if bids_shown else None,
            comments=[CommentOut.of(c, full_names=full_names) for c in tender.comments.all()],
        )


# --- funding ---------------------------------------------------------------------------------


class FundingLineOut(Schema):
    source: FundingSource
    label: str
    amount_yuan: str = Field(..., description="Yuan, two decimals, exact.")
    amount_fen: int

    @classmethod
    def of(cls, line: FundingLine) -> Self:
        return cls(
            source=FundingSource(line.source),
            label=str(line.get_source_display()),
            amount_yuan=line.amount_yuan,
            amount_fen=line.amount_fen,
        )


class ShareOut(Schema):
    home: str = Field(..., description="Uid of the home.")
    address: str
    amount_yuan: str = Field(..., description="The home's share in yuan, two decimals, exact.")
    amount_fen: int
    status: PaymentStatus
    status_label: str
    exempt_reason: str = Field(..., description="Why the home is exempt; empty otherwise.")

    @classmethod
    def of(cls, share: HomeShare) -> Self:
        home: Place = share.home
        return cls(
            home=home.uid,
            address=home.address,
            amount_yuan=share.amount_yuan,
            amount_fen=share.amount_fen,
            status=PaymentStatus(share.status),
            status_label=str(share.get_status_display()),
            exempt_reason=share.exempt_reason,
        )


class FundingOut(Schema):
    """Built from a plan with its scope joined, lines prefetched and the shares counted
    (works/selectors.py `funding_of`), and the shares the caller may see."""

    total_yuan: str = Field(..., description="The cost in yuan, two decimals, exact.")
    total_fen: int = Field(..., description="The cost in fen (1 yuan = 100 fen).")
    scope: str = Field(..., description="Uid of the place whose homes share the cost.")
    scope_address: str
    share_mode: ShareMode
    share_mode_label: str
    lines: list[FundingLineOut] = Field(..., description="The sources; they add up to the total.")
    homes: int = Field(..., description="Homes sharing the residents' part.")
    paid: int = Field(..., description="Homes that have paid.")
    exempt: int = Field(..., description="Homes exempted, each with a reason.")
    all_shares: bool = Field(
        ...,
        description="True when `shares` lists every home (callers who manage the works); "
        "false when it lists only the homes the caller is registered at.",
    )
    shares: list[ShareOut]

    @classmethod
    def of(cls, plan: FundingPlan, *, shares: list[HomeShare], all_shares: bool) -> Self:
        return cls(
            total_yuan=yuan(plan.total_fen),
            total_fen=plan.total_fen,
            scope=plan.scope.uid,
            scope_address=plan.scope.address,
            share_mode=ShareMode(plan.share_mode),
            share_mode_label=str(plan.get_share_mode_display()),
            lines=[FundingLineOut.of(line) for line in plan.lines.all()],
            homes=_counted(plan, "homes"),
            paid=_counted(plan, "paid"),
            exempt=_counted(plan, "exempt"),
            all_shares=all_shares,
            shares=[ShareOut.of(share) for share in shares],
        )
