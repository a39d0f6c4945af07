from django.urls import path

from qinlin.appeals import import_views, views

app_name = "appeals"
urlpatterns = [
    path("new/", views.appeal_new, name="appeal-new"),
    path("mine/", views.my_appeals, name="my-appeals"),
    path("inbox/", views.inbox, name="inbox"),
    path("enter/", views.appeal_enter, name="appeal-enter"),
    path("categories/", views.categories, name="categories"),
    path("<str:uid>/", views.appeal_detail, name="appeal-detail"),
    path("<str:uid>/photos/<int:n>/", views.appeal_photo, name="photo"),
    path("<str:uid>/triage/", views.appeal_triage, name="appeal-triage"),
    path("import/<str:uid>/", import_views.appeal_import, name="appeal-import"),
]
