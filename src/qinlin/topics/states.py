"""The stages of a topic (domain.md §4). The transition table arrives with the topics issue;
appeals only ever create topics in the first stage."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("待受理")
    LOCAL = "local", _("先行商议")
    REVIEW = "review", _("调查审核")
    CONSULTATION = "consultation", _("协商")
    VOTING = "voting", _("表决")
    DECIDED = "decided", _("已决定")
    EXECUTING = "executing", _("办理中")
    EVALUATING = "evaluating", _("测评中")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予立项")
    REFERRED = "referred", _("已转办")


OPEN_STAGES = [s for s in Stage if s not in (Stage.CLOSED, Stage.REJECTED, Stage.REFERRED)]
