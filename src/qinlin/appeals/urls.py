from django.urls import path

from qinlin.appeals import import_views

app_name = "appeals"
urlpatterns = [
    path("import/<str:uid>/", import_views.appeal_import, name="appeal-import"),
]
