from django.urls import path

from qinlin.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<str:uid>/", views.dashboard, name="dashboard-place"),
    path("<str:uid>/list/<str:figure>/", views.figure_list, name="list"),
    path("<str:uid>/report/<int:year>/", views.annual_report, name="report"),
    path("<str:uid>/report/<int:year>.xlsx", views.annual_report_xlsx, name="report-xlsx"),
]
