from django.urls import include, path

from qinlin.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("topics/<str:uid>/audits/", views.audit_add_view, name="audit-add"),
    path("audit-documents/<int:pk>/", views.audit_document, name="audit-document"),
    path("topics/<str:uid>/surveys/", views.survey_open_view, name="survey-open"),
    path("surveys/<str:uid>/", views.survey_detail, name="survey"),
    path("surveys/<str:uid>/respond/", views.survey_respond_view, name="survey-respond"),
    path("surveys/<str:uid>/door/", views.survey_door, name="survey-door"),
    path("surveys/<str:uid>/end/", views.survey_end_view, name="survey-end"),
    path("", include("qinlin.evaluation.campaign_urls")),
    path("", include("qinlin.evaluation.feedback_urls")),
]
