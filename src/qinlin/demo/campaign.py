"""The demo's survey campaign: a third-party body's home-elderly-care questionnaire for a
place, published a week ago, with about thirty responses (most online, some written down door
to door) and one problem turned into a feedback item — all through the services.

The demo resident is left out, so that whoever tries the demo can answer it themselves."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from qinlin.core.roles import Role
from qinlin.evaluation.campaigns import (
    campaign_create,
    campaign_feedback,
    campaign_publish,
    campaign_respond,
    question_add,
)
from qinlin.evaluation.models import Campaign, QuestionKind, ServiceDomain
from qinlin.people.models import Person, ResidencyStatus
from qinlin.places.models import Place

SEED = 20240611
ONLINE, DOOR = 22, 8
SERVICES = ["老年助餐", "助浴", "上门医疗护理", "日间照料", "精神慰藉（陪聊）", "家政保洁"]
# Most people leave the optional remark blank; every third response has one of these.
REMARKS = [
    "助餐送餐时间不固定，午饭有时 12 点半以后才送到。",
    "希望助浴服务每周能多一次。",
    "日间照料中心下午活动太少，老人坐着没事干。",
    "服务人员很耐心，谢谢！",
    "上门护理预约电话经常打不通。",
    "希望增加理发、修脚等上门服务。",
    "助餐的菜偏咸，老人吃不惯。",
    "不知道怎么申请上门服务，希望在楼道里贴个说明。",
    "陪聊的志愿者来得太少了。",
    "保洁阿姨做得很仔细，希望继续。",
]


def _answers(rng: random.Random, ids: list[int], n: int) -> dict[int, object]:
    has_elderly = rng.random() < 0.8
    frequency = rng.choice(["每周多次", "每周一次", "每月一两次"]) if has_elderly else "从未使用"
    used = rng.sample(SERVICES, rng.randint(1, 3)) if frequency != "从未使用" else []
    attitude = rng.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0]
    overall = max(1, min(5, attitude + rng.choice([-1, 0, 0, 1])))
    return dict(
        zip(
            ids,
            [
                "有" if has_elderly else "没有",
                frequency,
                used,
                attitude,
                overall,
                REMARKS[n // 3] if n % 3 == 0 and n // 3 < len(REMARKS) else "",
            ],
            strict=True,
        )
    )


def load_campaign(people: dict[Role, Person], place: Place) -> Campaign:
    body, staff = people[Role.THIRD_PARTY], people[Role.COMMUNITY_STAFF]
    today = timezone.localdate()
    campaign = campaign_create(
        actor=body,
        place=place,
        title=f"{today.year}年{place.name}居家养老服务满意度调查",
        domain=ServiceDomain.ELDERLY_CARE,
        organiser="齐鲁为老服务评估中心",
        intro="受社区委托，了解居民对居家养老服务的使用情况和满意程度。"
        "问卷不记录姓名，大约需要 3 分钟。",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=21),
    )
    questions = [
        question_add(
            actor=body,
            campaign=campaign,
            kind=QuestionKind.SINGLE,
            text="您家中是否有 60 岁以上的老人？",
            options=["有", "没有"],
        ),
        question_add(
            actor=body,
            campaign=campaign,
            kind=QuestionKind.SINGLE,
            text="您或家人使用居家养老服务的频率？",
            options=["每周多次", "每周一次", "每月一两次", "从未使用"],
        ),
        question_add(
            actor=body,
            campaign=campaign,
            kind=QuestionKind.MULTIPLE,
            text="您或家人使用过哪些服务？",
            options=SERVICES,
            required=False,
        ),
        question_add(
            actor=body, campaign=campaign, kind=QuestionKind.RATING, text="服务人员的态度"
        ),
        question_add(
            actor=body, campaign=campaign, kind=QuestionKind.RATING, text="居家养老服务总体满意度"
        ),
        question_add(
            actor=body,
            campaign=campaign,
            kind=QuestionKind.TEXT,
            text="您希望增加或改进哪些服务？",
            required=False,
        ),
    ]
    campaign = campaign_publish(actor=body, campaign=campaign)
    ids = [q.pk for q in questions]
    # A seeded generator: the demo's figures are the same on every load.
    rng = random.Random(SEED)
    resident = people.get(Role.RESIDENT)
    respondents = Person.objects.filter(
        place.subtree_q("residencies__home__"), residencies__status=ResidencyStatus.CONFIRMED
    )
    if resident is not None:
        respondents = respondents.exclude(pk=resident.pk)
    online = list(respondents.distinct().order_by("id")[:ONLINE])
    for n, person in enumerate(online):
        campaign_respond(
            actor=person, campaign=campaign, answers=_answers(rng, ids, n), respondent=person
        )
    for n in range(len(online), len(online) + DOOR):
        campaign_respond(
            actor=staff if n % 2 else body, campaign=campaign, answers=_answers(rng, ids, n)
        )
    campaign_feedback(
        actor=body,
        campaign=campaign,
        text="多位居民反映助餐送餐时间不固定，午饭有时 12 点半以后才送到，"
        "请助餐点核实并固定送餐时间。",
    )
    return campaign
