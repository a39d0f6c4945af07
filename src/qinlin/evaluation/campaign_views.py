"""Survey campaign pages: the staff list with a new campaign form, the builder (questions,
publication, then the answering link, results, door-to-door answers and feedback), the
residents' questionnaire, and the results workbook."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.permissions import can
from qinlin.disclosure.rendering import qr_svg
from qinlin.evaluation.campaign_exporting import CONTENT_TYPE, campaign_export_xlsx
from qinlin.evaluation.campaign_forms import (
    CampaignForm,
    FeedbackForm,
    QuestionForm,
    answers_from_post,
    questionnaire,
)
from qinlin.evaluation.campaigns import (
    ACTION,
    RATINGS,
    AnswersError,
    Phase,
    campaign_create,
    campaign_feedback,
    campaign_feedback_items,
    campaign_get,
    campaign_phase,
    campaign_places_for,
    campaign_publish,
    campaign_respond,
    campaign_results,
    campaign_update,
    campaigns_for,
    question_add,
    question_move,
    question_remove,
    question_update,
)
from qinlin.evaluation.charts import bar_chart
from qinlin.evaluation.models import Campaign, CampaignResponse, Question
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import lives_under

# The builder lists this many text answers per question; the workbook has them all.
TEXTS_SHOWN = 100


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    places = {p.uid: p for p in campaign_places_for(person)}
    if not places:
        raise PermissionDenied
    form = CampaignForm(
        request.POST or None, places=[(uid, p.address) for uid, p in places.items()]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(
                actor=person,
                place=places[data["place"]],
                title=data["title"],
                domain=data["domain"],
                organiser=data["organiser"],
                intro=data["intro"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("问卷已创建，请添加题目。"))
            return redirect("evaluation:campaign", uid=campaign.uid)
    today = timezone.localdate()
    listed = [(c, campaign_phase(c, today)) for c in campaigns_for(person)[:200]]
    return render(
        request,
        "evaluation/campaign_list.html",
        {"campaigns": listed, "form": form, "open_form": bool(form.errors) or not listed},
        status=400 if form.errors else 200,
    )


def _staff_campaign(person: Person, uid: str) -> Campaign:
    """The campaign, for those who run campaigns at its place; to anyone else it does not
    exist (its results are not theirs to read)."""
    campaign = campaign_get(uid)
    if campaign is None or not can(person, ACTION, campaign.place):
        raise Http404
    return campaign


def _answer_url(request: HttpRequest, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("evaluation:campaign-answer", args=[campaign.uid]))


def _chat_text(campaign: Campaign, url: str) -> str:
    return "\n".join(
        [
            _("【问卷调查】%(title)s") % {"title": campaign.title},
            _("%(organiser)s邀请%(place)s的居民填写，%(start)s 至 %(end)s，每人一次：")
            % {
                "organiser": campaign.organiser,
                "place": campaign.place.name,
                "start": campaign.starts_on.isoformat(),
                "end": campaign.ends_on.isoformat(),
            },
            url,
        ]
    )


def _page(
    request: HttpRequest, campaign: Campaign, status: int = 200, **forms: Any
) -> HttpResponse:
    """The builder: everything about one campaign for those who run it. `forms` carries a
    refused form (with what was typed and why) back to its place on the page."""
    phase = campaign_phase(campaign)
    draft = phase == Phase.DRAFT
    context: dict[str, Any] = {"campaign": campaign, "phase": phase, "draft": draft}
    if draft:
        questions = list(campaign.questions.all())
        edited: dict[int, QuestionForm] = forms.get("edit_forms", {})
        context |= {
            "questions": [(q, edited.get(q.pk) or QuestionForm.for_question(q)) for q in questions],
            "edit_open": set(edited),
            "add_form": forms.get("add_form") or QuestionForm(prefix="new"),
            "details_form": forms.get("details_form")
            or CampaignForm(
                places=None,
                initial={
                    "title": campaign.title,
                    "domain": campaign.domain,
                    "organiser": campaign.organiser,
                    "intro": campaign.intro,
                    "starts_on": campaign.starts_on,
                    "ends_on": campaign.ends_on,
                },
            ),
            "publish_error": forms.get("publish_error", ""),
        }
        return render(request, "evaluation/campaign_detail.html", context, status=status)
    results = campaign_results(campaign)
    url = _answer_url(request, campaign)
    charted = []
    for result in results.questions:
        chart = None
        if result.bars:
            chart = bar_chart(
                [(bar.label, bar.count) for bar in result.bars],
                total=result.answered,
                title=result.question.text,
            )
        charted.append((result, chart, result.texts[:TEXTS_SHOWN]))
    door: dict[str, Any] = forms.get("door", {})
    context |= {
        "results": results,
        "charted": charted,
        "texts_shown": TEXTS_SHOWN,
        "answer_url": url,
        "qr": qr_svg(url),
        "chat_text": _chat_text(campaign, url),
        "door_items": questionnaire(
            [r.question for r in results.questions], door.get("data"), door.get("problems")
        )
        if phase == Phase.OPEN
        else None,
        "door_error": door.get("error", ""),
        "door_problems": bool(door.get("problems")),
        "rating_scale": RATINGS,
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "feedback_items": campaign_feedback_items(campaign),
    }
    return render(request, "evaluation/campaign_detail.html", context, status=status)


@login_required
@require_safe
def campaign_detail(request: HttpRequest, uid: str) -> HttpResponse:
    return _page(request, _staff_campaign(current_person(request), uid))


def _back(campaign: Campaign, anchor: str = "") -> HttpResponse:
    url = reverse("evaluation:campaign", args=[campaign.uid])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def campaign_edit(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    form = CampaignForm(request.POST, places=None)
    if form.is_valid():
        try:
            campaign_update(actor=person, campaign=campaign, **form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("问卷说明已保存。"))
            return _back(campaign)
    return _page(request, campaign, status=400, details_form=form)


@login_required
@require_POST
def question_add_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    form = QuestionForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            question = question_add(actor=person, campaign=campaign, **form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("第 %(n)s 题已添加。") % {"n": question.position})
            return _back(campaign, "add-question")
    return _page(request, campaign, status=400, add_form=form)


def _question(campaign: Campaign, pk: int) -> Question:
    question = Question.objects.filter(campaign=campaign, pk=pk).first()
    if question is None:
        raise Http404
    return question


@login_required
@require_POST
def question_edit_view(request: HttpRequest, uid: str, pk: int) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    question = _question(campaign, pk)
    form = QuestionForm.for_question(question, request.POST)
    if form.is_valid():
        try:
            question_update(actor=person, question=question, **form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("第 %(n)s 题已保存。") % {"n": question.position})
            return _back(campaign, f"question-{question.pk}")
    return _page(request, campaign, status=400, edit_forms={question.pk: form})


def _simple(
    request: HttpRequest, campaign: Campaign, call: Any, done: str, anchor: str = ""
) -> HttpResponse:
    """Run a service that takes no typed input; a refusal comes back as a message."""
    try:
        call()
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(campaign, anchor)


@login_required
@require_POST
def question_remove_view(request: HttpRequest, uid: str, pk: int) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    question = _question(campaign, pk)
    return _simple(
        request,
        campaign,
        lambda: question_remove(actor=person, question=question),
        _("第 %(n)s 题已删除，后面的题目序号已前移。") % {"n": question.position},
        "questions",
    )


@login_required
@require_POST
def question_move_view(request: HttpRequest, uid: str, pk: int) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    question = _question(campaign, pk)
    direction = request.POST.get("direction", "")
    try:
        question_move(actor=person, question=question, direction=direction)
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error))
    return _back(campaign, f"question-{question.pk}")


@login_required
@require_POST
def campaign_publish_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    try:
        campaign_publish(actor=person, campaign=campaign)
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        return _page(request, campaign, status=400, publish_error=str(error))
    messages.success(request, _("问卷已发布：把填写链接或二维码发给居民吧。"))
    return _back(campaign, "share")


@login_required
@require_POST
def campaign_door(request: HttpRequest, uid: str) -> HttpResponse:
    """Answers written down door to door, for someone without an account."""
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    questions = list(campaign.questions.all())
    try:
        campaign_respond(
            actor=person, campaign=campaign, answers=answers_from_post(questions, request.POST)
        )
    except ForbiddenError:
        raise PermissionDenied from None
    except AnswersError as error:
        door = {"data": request.POST, "problems": error.problems, "error": str(error)}
        return _page(request, campaign, status=400, door=door)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(campaign, "door")
    messages.success(request, _("已录入一份入户答卷。"))
    return _back(campaign, "door")


@login_required
@require_POST
def campaign_feedback_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            campaign_feedback(actor=person, campaign=campaign, text=form.cleaned_data["text"])
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("已转为反馈问题，将跟踪到解决。"))
            return _back(campaign, "feedback")
    return _page(request, campaign, status=400, feedback_form=form)


@never_cache
@login_required
def campaign_answer(request: HttpRequest, uid: str) -> HttpResponse:
    """The questionnaire for a resident of the campaign's place, on a phone. Those who run
    the campaign and do not live there see it as a preview."""
    person = current_person(request)
    campaign = campaign_get(uid)
    if campaign is None:
        raise Http404
    staff = can(person, ACTION, campaign.place)
    if campaign.published_at is None and not staff:
        raise Http404
    resident = lives_under(person, campaign.place.path)
    if not resident and not staff:
        raise PermissionDenied
    questions = list(campaign.questions.all())
    problems: dict[int, str] = {}
    error, status = "", 200
    if request.method == "POST":
        if not resident:
            raise PermissionDenied
        try:
            campaign_respond(
                actor=person,
                campaign=campaign,
                answers=answers_from_post(questions, request.POST),
                respondent=person,
            )
        except ForbiddenError:
            raise PermissionDenied from None
        except AnswersError as refused:
            problems, error, status = refused.problems, str(refused), refused.status
        except DomainError as refused:
            error, status = str(refused), refused.status
        else:
            messages.success(request, _("提交成功，感谢您的参与！"))
            return redirect("evaluation:campaign-answer", uid=campaign.uid)
    answered = (
        CampaignResponse.objects.filter(campaign=campaign, respondent=person)
        .values_list("at", flat=True)
        .first()
        if resident
        else None
    )
    phase = campaign_phase(campaign)
    return render(
        request,
        "evaluation/campaign_answer.html",
        {
            "campaign": campaign,
            "phase": phase,
            "answered": answered,
            "preview": not resident,
            "staff": staff,
            "items": questionnaire(
                questions, request.POST if request.method == "POST" else None, problems
            ),
            "error": error,
            "problems": bool(problems),
            "rating_scale": RATINGS,
        },
        status=status,
    )


@never_cache
@require_safe
@login_required
def campaign_xlsx(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    campaign = _staff_campaign(person, uid)
    try:
        data = campaign_export_xlsx(actor=person, campaign=campaign)
    except ForbiddenError:
        raise PermissionDenied from None
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    filename = _("%(title)s-结果-%(date)s.xlsx") % {
        "title": campaign.title,
        "date": timezone.localdate().strftime("%Y%m%d"),
    }
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    assert disposition is not None  # always set for an attachment
    response["Content-Disposition"] = disposition
    return response
