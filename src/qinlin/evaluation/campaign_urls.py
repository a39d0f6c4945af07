from django.urls import path

from qinlin.evaluation import campaign_views as views

urlpatterns = [
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<str:uid>/", views.campaign_detail, name="campaign"),
    path("campaigns/<str:uid>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<str:uid>/questions/", views.question_add_view, name="campaign-question-add"),
    path(
        "campaigns/<str:uid>/questions/<int:pk>/",
        views.question_edit_view,
        name="campaign-question-edit",
    ),
    path(
        "campaigns/<str:uid>/questions/<int:pk>/remove/",
        views.question_remove_view,
        name="campaign-question-remove",
    ),
    path(
        "campaigns/<str:uid>/questions/<int:pk>/move/",
        views.question_move_view,
        name="campaign-question-move",
    ),
    path("campaigns/<str:uid>/publish/", views.campaign_publish_view, name="campaign-publish"),
    path("campaigns/<str:uid>/door/", views.campaign_door, name="campaign-door"),
    path("campaigns/<str:uid>/feedback/", views.campaign_feedback_view, name="campaign-feedback"),
    path("campaigns/<str:uid>/answer/", views.campaign_answer, name="campaign-answer"),
    path("campaigns/<str:uid>/results.xlsx", views.campaign_xlsx, name="campaign-xlsx"),
]
