"""Partner units and their resources; included by organisations/urls.py (its namespace)."""

from django.urls import path

from qinlin.organisations import partner_views

urlpatterns = [
    path("partners/", partner_views.partners, name="partners"),
    path("partners/<str:uid>/", partner_views.partner_detail, name="partner"),
    path("partners/<str:uid>/act/", partner_views.partner_act, name="partner-act"),
    path("partners/<str:uid>/unlink/", partner_views.use_unlink, name="partner-unlink"),
]
