"""Writes about owners' votes: open one on a topic, cast a ballot through any channel, close.

The counting itself is votes/rules.py; the close stores its result as the binding record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import IO

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qinlin.appeals.photos import clean_photo
from qinlin.core.audit import audit_record
from qinlin.core.errors import ConflictError, DomainError, ForbiddenError
from qinlin.core.ids import new_uid
from qinlin.core.permissions import can
from qinlin.core.roles import Role
from qinlin.people.models import Person
from qinlin.people.selectors import person_active_roles
from qinlin.places.models import SEGMENT, Place, PlaceKind
from qinlin.topics.models import Option, Topic
from qinlin.topics.services import step_record
from qinlin.topics.states import Stage
from qinlin.votes.models import Ballot, BallotChannel, SupersededBallot, Vote, VoteOption
from qinlin.votes.rules import Choice, TallyError, rule_for_item
from qinlin.votes.selectors import scope_homes, vote_letters, vote_tally
from qinlin.votes.tallyfile import figures

COMPOUND_DEPTH = 3 * SEGMENT


def vote_open(
    *,
    actor: Person,
    topic: Topic,
    items: Mapping[Option, int],
    scope: Place,
    closes_at: datetime,
    secret: bool = False,
    changeable: bool = True,
) -> Vote:
    """Put options of a topic to the owners of `scope` (a compound, building or unit of the
    topic's compound). Each option names the Art. 278 item it concerns, which decides its
    rule (items 6-8 need three quarters, Civil Code Art. 278 para. 2)."""
    if not can(actor, "votes.open", scope):
        raise ForbiddenError()
    if not items or any(o.topic_id != topic.pk for o in items):
        raise DomainError(_("请选择本议题的方案付诸表决。"), code="bad_options", field="options")
    for item in items.values():
        try:
            rule_for_item(item)
        except TallyError:
            raise DomainError(
                _("请为每个方案选择民法典第二百七十八条的事项。"), code="bad_item", field="options"
            ) from None
    if topic.stage != Stage.VOTING:
        raise ConflictError(_("议题进入“表决”阶段后才能发起业主表决。"), code="topic_not_voting")
    if scope.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.UNIT) or not (
        scope.path.startswith(topic.place.path[:COMPOUND_DEPTH])
    ):
        raise DomainError(
            _("表决范围须是本议题所在小区或其中的楼栋、单元。"), code="bad_scope", field="scope"
        )
    homes = scope_homes(scope)
    if not homes.exists():
        raise DomainError(_("表决范围内没有房屋。"), code="empty_scope", field="scope")
    unmeasured = homes.filter(Q(area__isnull=True) | Q(area__lte=0)).count()
    if unmeasured:
        # Art. 278 counts exclusive area: without the register's areas there is no tally.
        raise DomainError(
            _("表决范围内有 %(n)s 户没有登记面积，请先导入或补全房屋名册。") % {"n": unmeasured},
            code="area_missing",
            field="scope",
        )
    if closes_at <= timezone.now():
        raise DomainError(_("截止时间必须晚于现在。"), code="bad_deadline", field="closes_at")
    with transaction.atomic():
        Topic.objects.select_for_update().get(pk=topic.pk)
        running = Vote.objects.filter(
            topic=topic, closed_at__isnull=True, closes_at__gt=timezone.now()
        )
        if running.exists():
            raise ConflictError(_("本议题已有一场进行中的表决。"), code="vote_running")
        vote = Vote.objects.create(
            topic=topic,
            scope=scope,
            closes_at=closes_at,
            secret=secret,
            changeable=changeable,
            opened_by=actor,
        )
        VoteOption.objects.bulk_create(
            [VoteOption(vote=vote, option=o, item=i) for o, i in items.items()]
        )
        letters = {o.letter: i for o, i in sorted(items.items(), key=lambda p: p[0].letter)}
        step_record(
            topic=topic,
            actor=actor,
            verb="owners_vote_opened",
            vote=vote.uid,
            scope=scope.address,
            closes_at=closes_at.isoformat(),
            items=letters,
            secret=secret,
        )
        audit_record(
            actor=actor,
            verb="votes.vote.opened",
            obj=vote,
            data={"items": letters, "scope": scope.uid},
        )
    return vote


def _check_choices(vote: Vote, choices: Mapping[str, str]) -> dict[str, str]:
    letters = vote_letters(vote)
    clean = {k: v for k, v in choices.items() if v}
    missing = [letter for letter in letters if letter not in clean]
    if missing:
        raise DomainError(
            _("请对方案 %(letters)s 作出选择（同意、不同意或弃权）。")
            % {"letters": "、".join(missing)},
            code="choice_missing",
            field="choices",
        )
    if set(clean) - set(letters) or not set(clean.values()) <= {c.value for c in Choice}:
        raise DomainError(_("选择无效。"), code="bad_choice", field="choices")
    return {letter: clean[letter] for letter in letters}


def _may_cast(actor: Person, home: Place, channel: str) -> bool:
    if channel == BallotChannel.ONLINE:
        return (Role.OWNER, home.path) in {(r, p) for r, p in person_active_roles(actor)}
    return can(actor, "votes.record", home)


def _same_owner_agrees(vote: Vote, home: Place, choices: dict[str, str]) -> None:
    """One buyer's homes (or the developer's unsold ones) are one owner with one choice."""
    if not home.owner_key and not home.developer_unsold:
        return
    # The same precedence as rules.Home.person: an unsold home is the developer's.
    same: dict[str, object] = (
        {"home__developer_unsold": True}
        if home.developer_unsold
        else {"home__owner_key": home.owner_key, "home__developer_unsold": False}
    )
    other = Ballot.objects.filter(vote=vote, **same).exclude(home=home).first()
    if other is not None and other.choices != choices:
        raise DomainError(
            _("这户与同一业主的其他房屋选择不一致；同一业主只能作出一种选择。"),
            code="owner_disagrees",
            field="choices",
        )


def ballot_cast(
    *,
    actor: Person,
    vote: Vote,
    home: Place,
    choices: Mapping[str, str],
    channel: str,
    paper_no: str = "",
    proxy_name: str = "",
    document: tuple[str, IO[bytes]] | None = None,
) -> Ballot:
    """Record a home's ballot: door to door or by written proxy (entered by those who collect
    them), or online by a confirmed owner of the home. One ballot per home; before the close
    and where the vote allows it, a new ballot replaces the old one, which is kept.

    `document` is a photo of the signed paper ballot, or of the signed authorisation that a
    proxy ballot requires. A secret vote keeps no photo of a paper ballot: it shows the choice
    beside the owner's signature."""
    if channel not in BallotChannel.values:
        raise DomainError(_("请选择投票渠道。"), code="bad_channel", field="channel")
    if not _may_cast(actor, home, channel):
        raise ForbiddenError()
    if not vote.is_open():
        raise ConflictError(_("表决不在进行中。"), code="vote_not_open")
    if home.kind != PlaceKind.HOME or not home.path.startswith(vote.scope.path):
        raise DomainError(_("这户不在表决范围内。"), code="not_in_scope", field="home")
    if channel == BallotChannel.PROXY and not proxy_name.strip():
        raise DomainError(
            _("书面委托请填写受托人姓名。"), code="proxy_required", field="proxy_name"
        )
    if channel == BallotChannel.PROXY and document is None:
        raise DomainError(
            _("书面委托请拍照上传签字的委托书。"), code="authorisation_required", field="document"
        )
    if channel == BallotChannel.DOOR and document is not None and vote.secret:
        raise DomainError(
            _("无记名表决不保存签字表决票的照片，请妥善保管纸质票。"),
            code="secret_photo",
            field="document",
        )
    clean = _check_choices(vote, choices)
    photo = clean_photo(document[1], name=document[0]).content if document else None
    fields = {
        "choices": clean,
        "channel": channel,
        "entered_by": actor,
        "paper_no": paper_no.strip()[:40],
        "proxy_name": proxy_name.strip()[:50],
        "document": photo or "",
    }
    with transaction.atomic():
        _same_owner_agrees(vote, home, clean)
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(vote=vote, home=home, **fields)
                replaced = False
        except IntegrityError:
            ballot = _replace(vote, home, fields)
            replaced = True
        audit_record(
            actor=actor,
            verb="votes.ballot.replaced" if replaced else "votes.ballot.cast",
            obj=vote,
            # Never the choices: the ballot row is the record, and a secret vote stays secret.
            data={"home": home.uid, "channel": channel, "receipt": ballot.receipt},
        )
    return ballot


def _replace(vote: Vote, home: Place, fields: dict[str, object]) -> Ballot:
    """The home has voted: keep the old ballot in the history and record the new one."""
    ballot = Ballot.objects.select_for_update().get(vote=vote, home=home)
    if not vote.changeable:
        raise ConflictError(
            _("这户已经投过票，本次表决不允许改票。回执码：%(receipt)s")
            % {"receipt": ballot.receipt},
            code="already_voted",
        )
    SupersededBallot.objects.create(
        vote=vote,
        home=home,
        choices=ballot.choices,
        channel=ballot.channel,
        entered_by=ballot.entered_by,
        cast_at=ballot.cast_at,
        receipt=ballot.receipt,
        document=ballot.document.name or "",
    )
    for name, value in fields.items():
        setattr(ballot, name, value)
    ballot.cast_at = timezone.now()
    ballot.receipt = new_uid()
    ballot.save()
    return ballot


def vote_close(*, actor: Person, vote: Vote) -> Vote:
    """Close the vote and store the binding tally (votes/rules.py) with its explanation."""
    if not can(actor, "votes.close", vote.scope):
        raise ForbiddenError()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().select_related("scope", "topic").get(pk=vote.pk)
        if vote.closed_at is not None:
            raise ConflictError(_("表决已经结束。"), code="vote_closed")
        results = vote_tally(vote)
        vote.closed_at = timezone.now()
        vote.closed_by = actor
        vote.result = {
            letter: {**figures(r), "zh": r.explanation_zh, "en": r.explanation_en}
            for letter, r in results.items()
        }
        vote.save(update_fields=["closed_at", "closed_by", "result"])
        passed = [letter for letter, r in results.items() if r.passed]
        step_record(
            topic=vote.topic,
            actor=actor,
            verb="owners_vote_closed",
            vote=vote.uid,
            passed=", ".join(passed),
            zh="\n".join(r.explanation_zh for r in results.values()),
            en="\n".join(r.explanation_en for r in results.values()),
        )
        audit_record(
            actor=actor,
            verb="votes.vote.closed",
            obj=vote,
            data={"passed": passed, "ballots": vote.ballots.count()},
        )
    return vote
