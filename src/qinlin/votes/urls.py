from django.urls import path

from qinlin.votes import views

app_name = "votes"

urlpatterns = [
    path("new/", views.vote_new, name="vote-new"),
    path("receipt/", views.receipt_check, name="receipt"),
    path("<str:uid>/", views.vote_detail, name="vote-detail"),
    path("<str:uid>/door/", views.vote_door, name="vote-door"),
    path("<str:uid>/tally.json", views.vote_file, name="vote-file"),
    path("<str:uid>/ballots/<str:receipt>/document", views.ballot_document, name="document"),
]
