"""Pages of the party organisation, included by organisations/urls.py (namespace
`organisations`, under /organisations/)."""

from django.urls import path

from qinlin.organisations import branch_views

urlpatterns = [
    path("branches/", branch_views.branches, name="branches"),
    path("branches/<str:uid>/", branch_views.branch, name="branch"),
    path("compounds/<str:uid>/team/", branch_views.team, name="team"),
]
