from django.urls import path, re_path

from qinlin.places import views

app_name = "places"
urlpatterns = [
    path("<str:uid>/", views.place_detail, name="place-detail"),
    path("<str:uid>/import/", views.place_import, name="place-import"),
    re_path(r"^(?P<uid>[^/]+)/export\.(?P<fmt>xlsx|csv)$", views.place_export, name="place-export"),
]
