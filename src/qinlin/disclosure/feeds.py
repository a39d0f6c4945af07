"""An Atom feed of a place's public notices, for feed readers and the sites that relay them.

The entries are the same notices as the public list (`notices_public_under`): published ones
and withdrawn ones, whose withdrawal is itself disclosed. No entry names an author: notices
are published by an office, and people's names stay off the public web.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from qinlin.disclosure.models import Notice, NoticeStatus
from qinlin.disclosure.selectors import notices_public_under
from qinlin.places.models import Place, PlaceKind

# Feed readers poll often; the latest notices are what they need.
LATEST = 50


class PlaceNoticesFeed(Feed[Notice, Place]):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, uid: str) -> Place:
        # Homes are not public places, as in the API.
        place = Place.objects.exclude(kind=PlaceKind.HOME).filter(uid=uid).first()
        if place is None:
            raise Http404(_("找不到这个地点。"))
        return place

    def title(self, obj: Place) -> str:
        return _("%(place)s公示") % {"place": obj.name}

    def subtitle(self, obj: Place) -> str:
        return _("%(place)s及其下各处发布的公示，最新的在前。") % {"place": obj.name}

    def link(self, obj: Place) -> str:
        return reverse("public:place", args=[obj.uid])

    def items(self, obj: Place) -> QuerySet[Notice]:
        return notices_public_under(obj)[:LATEST]

    def item_title(self, item: Notice) -> str:
        if item.state == NoticeStatus.WITHDRAWN:
            return _("［%(status)s］%(title)s") % {
                "status": NoticeStatus.WITHDRAWN.label,
                "title": item.title,
            }
        return item.title

    def item_link(self, item: Notice) -> str:
        return reverse("public:notice", args=[item.uid])

    def item_description(self, item: Notice) -> str:
        # Plain text made HTML: escaped, blank lines as paragraphs, line breaks as <br>.
        return linebreaks(item.body, autoescape=True)

    def item_pubdate(self, item: Notice) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Notice) -> datetime | None:
        # A withdrawal changes the entry: readers that track updates see it again.
        return item.withdrawn_at or item.published_at
