from django.urls import path

from qinlin.works import views

app_name = "works"

urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("topics/<str:uid>/tasks/", views.task_add, name="task-add"),
    path("tasks/<str:uid>/report/", views.task_report_view, name="task-report"),
    path("photos/<int:pk>/", views.task_photo, name="photo"),
    path("topics/<str:uid>/funding/", views.funding_set, name="funding-set"),
    path("topics/<str:uid>/collection/", views.collection, name="collection"),
    path("shares/<int:pk>/", views.payment, name="payment"),
]
