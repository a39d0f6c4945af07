from django.urls import path

from qinlin.topics import meeting_views, views

app_name = "topics"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.topic_new, name="topic-new"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting-new"),
    path("meetings/<str:uid>/", meeting_views.meeting_detail, name="meeting-detail"),
    path("meetings/<str:uid>/act/", meeting_views.meeting_act, name="meeting-act"),
    path("<str:uid>/", views.topic_detail, name="topic-detail"),
    path("<str:uid>/advance/", views.topic_advance_view, name="topic-advance"),
    path("<str:uid>/edit/", views.topic_edit, name="topic-edit"),
    path("<str:uid>/options/", views.option_add, name="option-add"),
    path("<str:uid>/responsible/", views.responsible_set, name="responsible-set"),
]
