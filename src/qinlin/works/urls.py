from django.urls import path

from qinlin.works import views

app_name = "works"

urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("topics/<str:uid>/tasks/", views.task_add, name="task-add"),
    path("tasks/<str:uid>/report/", views.task_report_view, name="task-report"),
    path("photos/<int:pk>/", views.task_photo, name="photo"),
]
