from django.urls import path

from qinlin.core import views

app_name = "core"
urlpatterns = [
    path("", views.start, name="start"),
    path("me/", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/audit/", views.audit_log, name="audit"),
]
