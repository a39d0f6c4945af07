from django.urls import path

from qinlin.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read/", views.notification_read_all, name="notification-read-all"),
    path("settings/", views.preferences, name="preferences"),
    path("robots/", views.robot_list, name="robot-list"),
    path("robots/<str:uid>/", views.robot_edit, name="robot-edit"),
    path("robots/<str:uid>/test/", views.robot_test_view, name="robot-test"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<str:uid>/resend/", views.notification_resend_view, name="notification-resend"),
    path("<str:uid>/", views.notification_open, name="notification-open"),
]
