"""Requests for disclosure (依申请公开), included under the `disclosure` namespace."""

from django.urls import path

from qinlin.disclosure import request_views

urlpatterns = [
    path("requests/", request_views.requests_inbox, name="requests"),
    path("requests/mine/", request_views.my_requests, name="my-requests"),
    path("requests/<str:uid>/", request_views.request_detail, name="request"),
    path("requests/<str:uid>/assign/", request_views.request_assign_view, name="request-assign"),
    path("requests/<str:uid>/answer/", request_views.request_answer_view, name="request-answer"),
    path("requests/<str:uid>/refuse/", request_views.request_refuse_view, name="request-refuse"),
]
