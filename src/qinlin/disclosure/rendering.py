"""A published notice on each channel: the link behind its QR code, the short text pasted into
a chat group, the QR code itself, and the heading of the printed sheet."""

from __future__ import annotations

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from qinlin.disclosure.models import Notice
from qinlin.places.models import Place, PlaceKind

# A chat message should fit on a phone screen: the summary is cut at this many characters.
CHAT_SUMMARY = 80


def public_url(request: HttpRequest, notice: Notice) -> str:
    return request.build_absolute_uri(reverse("public:notice", args=[notice.uid]))


def chat_text(request: HttpRequest, notice: Notice) -> str:
    """Plain text for an owners' chat group: the title, the start of the text, the period and
    the link (objections are made on the web page)."""
    body = " ".join(notice.body.split())
    summary = body if len(body) <= CHAT_SUMMARY else body[:CHAT_SUMMARY].rstrip() + "…"
    lines = [_("【公示】%(title)s") % {"title": notice.title}, summary]
    if notice.period_ends is not None:
        lines.append(
            _("公示期至 %(date)s，如有异议请点链接提出：")
            % {"date": date_format(notice.period_ends, "DATE_FORMAT")}
        )
    lines.append(public_url(request, notice))
    return "\n".join(lines)


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code for `url`; large modules so a phone reads it across a corridor."""
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True)
    # segno writes the SVG itself from the URL's bits; nothing in it comes from user text.
    return mark_safe(svg)  # noqa: S308


def issuer(place: Place) -> tuple[str, str]:
    """(the community's name, the place's name) for the sheet's heading; walks `parent`, so
    callers select_related the chain up to the community."""
    names: dict[str, str] = {}
    node: Place | None = place
    while node is not None:
        names.setdefault(node.kind, node.name)
        node = node.parent
    community = names.get(PlaceKind.COMMUNITY, "")
    compound = names.get(PlaceKind.COMPOUND, place.name)
    return community, compound
