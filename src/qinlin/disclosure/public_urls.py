"""Public pages of published notices: readable without logging in (the QR code on a board and
the link in a chat group lead here)."""

from django.urls import path

from qinlin.disclosure import feeds, public_views

app_name = "public"

urlpatterns = [
    path("<str:uid>/", public_views.notice_public, name="notice"),
    path("<str:uid>/print/", public_views.notice_print, name="print"),
    path("<str:uid>/text/", public_views.notice_text, name="text"),
    path("<str:uid>/objections/", public_views.objection_file_view, name="objection"),
    path("places/<str:uid>/", public_views.notices_of_place, name="place"),
    path("places/<str:uid>/feed.atom", feeds.PlaceNoticesFeed(), name="feed"),
]
