"""Pages of partner units: the partners of one's communities, a partner's profile and the
resources it offers with where they were used; forms for those who keep them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinlin.core.errors import DomainError, ForbiddenError
from qinlin.core.masking import mask_phone
from qinlin.core.permissions import can
from qinlin.organisations.models import Partner, Resource, ResourceUse
from qinlin.organisations.partner_forms import (
    Choices,
    LinkForm,
    PartnerEditForm,
    PartnerNewForm,
    ResourceEditForm,
    ResourceForm,
)
from qinlin.organisations.partner_selectors import (
    link_targets,
    partner_communities,
    partner_get,
    partner_may_link,
    partner_may_view,
    partner_resources,
    partners_of,
)
from qinlin.organisations.partners import (
    ACTION,
    may_keep,
    partner_create,
    partner_update,
    resource_add,
    resource_link,
    resource_unlink,
    resource_update,
)
from qinlin.people.current import current_person
from qinlin.people.models import Person


@login_required
def partners(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    communities = partner_communities(person)
    kept = {c.uid: c for c in communities.kept}
    form = (
        PartnerNewForm(request.POST or None, communities=[(u, c.name) for u, c in kept.items()])
        if kept
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                partner = partner_create(
                    actor=person,
                    community=kept[data.pop("community")],
                    **data,
                )
            except ForbiddenError:
                raise PermissionDenied from None
            except DomainError as error:
                error.add_to(form)
            else:
                messages.success(request, _("共建单位已添加。"))
                return redirect("organisations:partner", uid=partner.uid)
    return render(
        request,
        "organisations/partner_list.html",
        {
            "partners": partners_of(communities.visible),
            "communities": communities.visible,
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _target_choices(person: Person, partner: Partner) -> Choices:
    """The recent targets at the partner's community, narrowed to the places where a person
    who does not keep the partner may link (a compound's branch secretary)."""
    targets = link_targets(partner.community)
    everywhere = may_keep(person, partner)

    def allowed(obj: Any) -> bool:
        return everywhere or can(person, ACTION, obj.place)

    topics = [(f"topic:{t.uid}", t.title) for t in targets.topics if allowed(t)]
    appeals = [
        (
            f"appeal:{a.uid}",
            f"{a.category.name} · {a.created_at:%Y-%m-%d} · {a.text[:24]}"
            if can(person, "appeals.view_inbox", a.place)
            else f"{a.category.name} · {a.created_at:%Y-%m-%d} · {a.uid}",
        )
        for a in targets.appeals
        if allowed(a)
    ]
    activities = [
        (f"activity:{a.uid}", f"{a.title} · {a.starts_at:%Y-%m-%d}")
        for a in targets.activities
        if allowed(a)
    ]
    groups: Choices = [("", "—")]
    for label, items in ((_("议题"), topics), (_("诉求"), appeals), (_("活动"), activities)):
        if items:
            groups.append((label, items))
    return groups


def _page(request: HttpRequest, partner: Partner, status: int = 200, **forms: Any) -> HttpResponse:
    person = current_person(request)
    keeper = may_keep(person, partner)
    linker = partner_may_link(person, partner)
    resources = partner_resources(partner)
    edited = forms.get("resource_form_of")
    rows = []
    for resource in resources:
        edit_form = None
        if keeper:
            edit_form = (
                forms["resource_edit_form"]
                if edited == resource.uid
                else ResourceEditForm(
                    prefix=f"r-{resource.uid}",
                    initial={
                        "kind": resource.kind,
                        "title": resource.title,
                        "description": resource.description,
                        "availability": resource.availability,
                        "active": resource.active,
                    },
                )
            )
        uses = [
            (use, linker and (keeper or can(person, ACTION, _target(use).place)))
            for use in resource.uses.all()
        ]
        rows.append((resource, edit_form, uses))
    link_form = None
    if linker and partner.active:
        link_form = forms.get("link_form") or LinkForm(
            resources=_resource_choices(resources),
            targets=_target_choices(person, partner),
        )
    context = {
        "partner": partner,
        "keeper": keeper,
        "phone": partner.contact_phone if keeper else mask_phone(partner.contact_phone),
        "rows": rows,
        "partner_form": forms.get("partner_form") or _partner_form(partner) if keeper else None,
        "resource_form": forms.get("resource_form") or ResourceForm() if keeper else None,
        "link_form": link_form,
        "editing_resource": edited,
    }
    return render(request, "organisations/partner_detail.html", context, status=status)


def _target(use: ResourceUse) -> Any:
    return use.topic or use.appeal or use.activity


def _resource_choices(resources: list[Resource]) -> Choices:
    return [(r.uid, f"{r.get_kind_display()} · {r.title}") for r in resources if r.active]


def _partner_form(partner: Partner, data: Any = None) -> PartnerEditForm:
    return PartnerEditForm(
        data,
        initial={
            "name": partner.name,
            "kind": partner.kind,
            "profile": partner.profile,
            "address": partner.address,
            "contact_name": partner.contact_name,
            "contact_phone": partner.contact_phone,
            "active": partner.active,
        },
    )


def _visible_partner(person: Person, uid: str) -> Partner:
    partner = partner_get(uid)
    if partner is None or not partner_may_view(person, partner):
        raise Http404
    return partner


@login_required
def partner_detail(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    return _page(request, _visible_partner(person, uid))


def _resource_of(partner: Partner, uid: str) -> Resource:
    resource = Resource.objects.filter(partner=partner, uid=uid).first()
    if resource is None:
        raise Http404
    resource.partner = partner
    return resource


def _link_form(person: Person, partner: Partner, data: Any) -> LinkForm:
    if not partner_may_link(person, partner):
        raise ForbiddenError()
    return LinkForm(
        data,
        resources=_resource_choices(partner_resources(partner)),
        targets=_target_choices(person, partner),
    )


def _link(person: Person, partner: Partner, form: LinkForm) -> None:
    data = form.cleaned_data
    resource = _resource_of(partner, data["resource"])
    kind, _sep, target_uid = data["target"].partition(":")
    targets = link_targets(partner.community)
    by_kind: dict[str, dict[str, Any]] = {
        "topic": {t.uid: t for t in targets.topics},
        "appeal": {a.uid: a for a in targets.appeals},
        "activity": {a.uid: a for a in targets.activities},
    }
    target = by_kind.get(kind, {}).get(target_uid)
    if target is None:
        raise DomainError(_("请选择要关联的议题、诉求或活动。"), code="bad_target", field="target")
    resource_link(actor=person, resource=resource, note=data["note"], **{kind: target})


@login_required
@require_POST
def partner_act(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    partner = _visible_partner(person, uid)
    action = request.POST.get("action", "")
    forms: dict[str, Any] = {}
    form: Form
    done = ""
    anchor = ""
    try:
        if action == "edit_partner":
            form = forms["partner_form"] = _partner_form(partner, request.POST)
            if form.is_valid():
                partner_update(actor=person, partner=partner, **form.cleaned_data)
                done = _("单位信息已保存。")
        elif action == "add_resource":
            form = forms["resource_form"] = ResourceForm(request.POST)
            if form.is_valid():
                resource_add(actor=person, partner=partner, **form.cleaned_data)
                done, anchor = _("资源已添加。"), "#resources"
        elif action == "edit_resource":
            resource = _resource_of(partner, request.POST.get("resource", ""))
            form = ResourceEditForm(request.POST, prefix=f"r-{resource.uid}")
            forms["resource_edit_form"], forms["resource_form_of"] = form, resource.uid
            if form.is_valid():
                resource_update(actor=person, resource=resource, **form.cleaned_data)
                done, anchor = _("资源已保存。"), f"#resource-{resource.uid}"
        elif action == "link":
            form = forms["link_form"] = _link_form(person, partner, request.POST)
            if form.is_valid():
                _link(person, partner, form)
                done, anchor = _("已关联。"), "#resources"
        else:
            raise Http404
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as error:
        error.add_to(form)
    if done:
        messages.success(request, done)
        return redirect(reverse("organisations:partner", args=[uid]) + anchor)
    return _page(request, partner_get(uid) or partner, status=400, **forms)


@login_required
@require_POST
def use_unlink(request: HttpRequest, uid: str) -> HttpResponse:
    person = current_person(request)
    partner = _visible_partner(person, uid)
    use = (
        ResourceUse.objects.select_related("resource", "topic", "appeal", "activity")
        .filter(pk=request.POST.get("use") or 0, resource__partner=partner)
        .first()
    )
    if use is None:
        raise Http404
    use.resource.partner = partner
    try:
        resource_unlink(actor=person, use=use)
    except ForbiddenError:
        raise PermissionDenied from None
    messages.success(request, _("已取消关联。"))
    return redirect(reverse("organisations:partner", args=[uid]) + "#resources")
