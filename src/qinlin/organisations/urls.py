from django.urls import include, path

from qinlin.organisations import activity_views

app_name = "organisations"

urlpatterns = [
    path("activities/", activity_views.calendar, name="activities"),
    path("activities/new/", activity_views.activity_new, name="activity-new"),
    path("activities/mine/", activity_views.my_activities, name="my-activities"),
    path("activities/<str:uid>/", activity_views.activity_detail, name="activity"),
    path("activities/<str:uid>/register/", activity_views.register_view, name="register"),
    path("activities/<str:uid>/cancel/", activity_views.cancel_view, name="cancel"),
    path("activities/<str:uid>/attendance/", activity_views.attendance, name="attendance"),
    path("activity-photos/<int:pk>/", activity_views.activity_photo, name="activity-photo"),
    path("", include("qinlin.organisations.partner_urls")),
    path("", include("qinlin.organisations.branch_urls")),
]
