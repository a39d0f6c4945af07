from django.urls import path

from qinlin.works import tender_views, views

app_name = "works"

urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("topics/<str:uid>/tasks/", views.task_add, name="task-add"),
    path("tasks/<str:uid>/report/", views.task_report_view, name="task-report"),
    path("photos/<int:pk>/", views.task_photo, name="photo"),
    path("topics/<str:uid>/funding/", views.funding_set, name="funding-set"),
    path("topics/<str:uid>/collection/", views.collection, name="collection"),
    path("shares/<int:pk>/", views.payment, name="payment"),
    path("topics/<str:uid>/acceptance/", views.acceptance_view, name="acceptance"),
    path("acceptance-photos/<int:pk>/", views.acceptance_photo, name="acceptance-photo"),
    path("topics/<str:uid>/tenders/", tender_views.tender_open_view, name="tender-open"),
    path("tenders/<str:uid>/", tender_views.tender_detail, name="tender"),
    path("tenders/<str:uid>/bids/", tender_views.bid_add_view, name="bid-add"),
    path("tenders/<str:uid>/publish/", tender_views.tender_publish_view, name="tender-publish"),
    path("tenders/<str:uid>/comments/", tender_views.comment_view, name="tender-comment"),
    path("tenders/<str:uid>/award/", tender_views.award_view, name="tender-award"),
    path("bid-documents/<int:pk>/", tender_views.bid_document, name="bid-document"),
]
