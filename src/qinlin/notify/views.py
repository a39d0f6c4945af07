"""Pages of notifications: a person's messages and choices; for staff, the group robots of
their places and what those robots were sent."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.masking import mask_secret, mask_url
from qinlin.core.permissions import can
from qinlin.notify.forms import PreferencesForm, RobotForm
from qinlin.notify.kinds import SPECS, Channel, Kind
from qinlin.notify.models import Notification, Preferences, Robot, Status
from qinlin.notify.selectors import (
    NEEDS_A_PERSON,
    notifications_of,
    outbox_under,
    robots_under,
    scope_paths,
)
from qinlin.notify.services import (
    notification_resend,
    notifications_read,
    preferences_save,
    robot_save,
    robot_test,
)
from qinlin.people.current import current_person
from qinlin.people.models import Person
from qinlin.people.selectors import places_where
from qinlin.places.models import Place

PER_PAGE = 30
OUTBOX_PER_PAGE = 50

# --- a person's messages ----------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The notification centre: the newest first, unread ones marked."""
    person = current_person(request)
    page = Paginator(notifications_of(person), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notify/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_read(actor=current_person(request))
    if marked:
        messages.success(request, _("已全部标为已读。"))
    return redirect("notify:notification-list")


def _safe_link(request: HttpRequest, link: str) -> str:
    """A message's link is a path on this site; anything else goes to the centre instead."""
    local = link.startswith("/") and not link.startswith("//")
    if local and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return link
    return reverse("notify:notification-list")


@login_required
def notification_open(request: HttpRequest, uid: str) -> HttpResponse:
    """Follow a message's link, marking it read on the way."""
    person = current_person(request)
    notification = (
        Notification.objects.filter(uid=uid, person=person, channel=Channel.IN_APP)
        .only("uid", "link")
        .first()
    )
    if notification is None:
        raise Http404
    notifications_read(actor=person, uids=[notification.uid])
    return redirect(_safe_link(request, notification.link))


# --- a person's choices -----------------------------------------------------------------------


def _kinds_for(staff: bool) -> list[Kind]:
    """Residents' kinds for everyone; the work reminders for staff."""
    return [kind for kind in Kind if staff or not SPECS[kind].staff]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    staff = can(person, "core.use_workspace")
    kinds = _kinds_for(staff)
    saved = Preferences.objects.filter(person=person).first()
    initial: dict[str, object] = {
        "email": saved.email if saved else "",
        "quiet_hours": saved.quiet_hours if saved else True,
        "digest": saved.digest if saved else False,
    }
    for kind in kinds:
        chosen = saved.chosen(kind) if saved else None
        default = [c.value for c in SPECS[kind].channels]
        initial[f"channels-{kind.value}"] = default if chosen is None else chosen
    form = PreferencesForm(request.POST or None, kinds=kinds, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            preferences_save(
                actor=person,
                email=data["email"],
                channels=form.channels(),
                quiet_hours=data["quiet_hours"],
                digest=data["digest"] if staff else bool(initial["digest"]),
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notify:preferences")
    resident_rows = [(k, f) for k, f in form.rows() if not SPECS[k].staff]
    staff_rows = [(k, f) for k, f in form.rows() if SPECS[k].staff]
    start, end = settings.QINLIN_QUIET_HOURS
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "staff": staff,
            "groups": [
                (_("与我和我家有关"), resident_rows),
                (_("工作提醒"), staff_rows),
            ]
            if staff
            else [("", resident_rows)],
            "phone": person.phone_masked,
            "has_email": bool(saved and saved.email),
            "quiet_start": start.strftime("%H:%M"),
            "quiet_end": end.strftime("%H:%M"),
            "digest_hour": settings.QINLIN_DIGEST_HOUR,
        },
        status=400 if form.errors else 200,
    )


# --- group robots (staff) ---------------------------------------------------------------------


def _robot_places(person: Person, robot: Robot | None = None) -> dict[str, Place]:
    places = {p.uid: p for p in places_where(person, "notify.robots")}
    if robot is not None and robot.place.uid not in places:
        places[robot.place.uid] = robot.place
    return places


def _place_label(place: Place) -> str:
    return place.address if place.kind in ("compound", "building", "unit") else place.name


def _robot_for(person: Person, uid: str) -> Robot:
    robot = Robot.objects.select_related("place__parent__parent").filter(uid=uid).first()
    # Another place's robot answers 404 like a missing one: a 403 would confirm it exists.
    if robot is None or not can(person, "notify.robots", robot.place):
        raise Http404
    return robot


def _robot_form(
    request: HttpRequest, person: Person, places: dict[str, Place], robot: Robot | None
) -> tuple[RobotForm, Robot | None]:
    """The add or edit form; on a valid POST, the saved robot."""
    initial: dict[str, object] = {"language": person.language, "active": True, "quiet_hours": True}
    if robot is not None:
        initial = {
            "place": robot.place.uid,
            "name": robot.name,
            "platform": robot.platform,
            "url": robot.url,
            "kinds": list(robot.kinds),
            "language": robot.language,
            "quiet_hours": robot.quiet_hours,
            "active": robot.active,
        }
    form = RobotForm(
        request.POST or None,
        places=[(uid, _place_label(p)) for uid, p in places.items()],
        secret_saved=bool(robot and robot.secret),
        initial=initial,
    )
    if request.method != "POST" or not form.is_valid():
        return form, None
    data = form.cleaned_data
    secret = data["secret"]
    if robot is not None and not secret and not data.get("clear_secret"):
        secret = robot.secret
    try:
        saved = robot_save(
            actor=person,
            place=places[data["place"]],
            name=data["name"],
            platform=data["platform"],
            url=data["url"],
            secret=secret,
            kinds=data["kinds"],
            language=data["language"],
            active=data["active"],
            quiet_hours=data["quiet_hours"],
            robot=robot,
        )
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        error.add_to(form)
        return form, None
    return form, saved


def _listed(robot: Robot) -> dict[str, object]:
    return {
        "robot": robot,
        "place": _place_label(robot.place),
        "url": mask_url(robot.url),
        "secret": mask_secret(robot.secret),
        "kinds": [Kind(k).label for k in robot.kinds if k in Kind.values],
    }


@login_required
def robot_list(request: HttpRequest) -> HttpResponse:
    """The robots under the person's places, and a form to connect another."""
    person = current_person(request)
    places = _robot_places(person)
    if not places:
        raise PermissionDenied
    form, saved = _robot_form(request, person, places, None)
    if saved is not None:
        added = _("群机器人“%(name)s”已添加。可以发送一条测试消息试试。")
        messages.success(request, added % {"name": saved.name})
        return redirect(reverse("notify:robot-list") + f"#robot-{saved.uid}")
    robots = robots_under(scope_paths(person, "notify.robots"))[:500]
    return render(
        request,
        "notify/robots.html",
        {
            "robots": [_listed(r) for r in robots],
            "form": form,
            "can_outbox": can(person, "notify.outbox"),
            "prefixes": settings.QINLIN_ROBOT_URL_PREFIXES,
        },
        status=400 if form.errors else 200,
    )


@login_required
def robot_edit(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    robot = _robot_for(person, uid)
    form, saved = _robot_form(request, person, _robot_places(person, robot), robot)
    if saved is not None:
        messages.success(request, _("群机器人“%(name)s”已保存。") % {"name": saved.name})
        return redirect(reverse("notify:robot-list") + f"#robot-{saved.uid}")
    return render(
        request,
        "notify/robot_edit.html",
        {
            "listed": _listed(robot),
            "robot": robot,
            "form": form,
            "prefixes": settings.QINLIN_ROBOT_URL_PREFIXES,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def robot_test_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    robot = _robot_for(person, uid)
    try:
        robot_test(actor=person, robot=robot)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        done = (
            _("测试消息已放入发送队列，通常几秒内出现在“%(name)s”里；结果可在通知发送记录中查看。")
            if can(person, "notify.outbox", robot.place)
            else _("测试消息已放入发送队列，通常几秒内出现在“%(name)s”里。")
        )
        messages.success(request, done % {"name": robot.name})
    return redirect(reverse("notify:robot-list") + f"#robot-{robot.uid}")


# --- the outbox (staff) -----------------------------------------------------------------------


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """What the robots under the person's places were sent; what waits for a decision first."""
    person = current_person(request)
    paths = scope_paths(person, "notify.outbox")
    if not paths:
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    rows = outbox_under(paths, status=status)
    page = Paginator(rows, OUTBOX_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/outbox.html",
        {
            "page": page,
            "status": status,
            "query": f"status={status}" if status else "",
            "statuses": [
                (s.value, s.label)
                for s in (Status.FAILED, Status.IN_DOUBT, Status.PENDING, Status.SENT)
            ],
            "resendable": [s.value for s in NEEDS_A_PERSON],
            "can_robots": can(person, "notify.robots"),
        },
    )


@login_required
@require_POST
def notification_resend_view(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    notification = (
        Notification.objects.select_related("robot__place", "person").filter(uid=uid).first()
    )
    if notification is None:
        raise Http404
    try:
        notification_resend(actor=person, notification=notification)
    except ForbiddenError:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已重新放入发送队列。"))
    back = reverse("notify:outbox")
    status = request.POST.get("status", "")
    if status in Status.values:
        back += f"?status={status}"
    return redirect(back)
