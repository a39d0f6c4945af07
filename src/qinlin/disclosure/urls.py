from django.urls import include, path

from qinlin.disclosure import views

app_name = "disclosure"

urlpatterns = [
    path("channels/", views.channels, name="channels"),
    path("topics/<str:uid>/notices/", views.notice_new, name="notice-new"),
    path("notices/new/", views.notice_new_free, name="notice-new-free"),
    path("notices/<str:uid>/", views.notice_detail, name="notice"),
    path("notices/<str:uid>/act/", views.notice_act, name="notice-act"),
    path("objections/<int:pk>/answer/", views.objection_answer_view, name="objection-answer"),
    path("", include("qinlin.disclosure.request_urls")),
]
