"""Feedback items (反馈问题), included under the `evaluation` namespace."""

from django.urls import path

from qinlin.evaluation import feedback_views

urlpatterns = [
    path("feedback/", feedback_views.feedback_list, name="feedback"),
    path("feedback/<str:uid>/", feedback_views.feedback_item, name="feedback-item"),
    path(
        "feedback/<str:uid>/assign/",
        feedback_views.feedback_assign_view,
        name="feedback-assign",
    ),
    path(
        "feedback/<str:uid>/answer/",
        feedback_views.feedback_answer_view,
        name="feedback-answer",
    ),
    path(
        "feedback/<str:uid>/appeal/",
        feedback_views.feedback_appeal_view,
        name="feedback-appeal",
    ),
]
