from django.urls import path

from qinlin.people import account_views, privacy_views, views

app_name = "people"
urlpatterns = [
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", account_views.login_code, name="login-code"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", account_views.password_reset, name="password-reset"),
    path(
        "accounts/password/reset/code/",
        account_views.password_reset_code,
        name="password-reset-code",
    ),
    path("me/security/", account_views.security, name="security"),
    path("me/security/two-step/", account_views.two_step, name="two-step"),
    path("accounts/signup/", views.signup, name="signup"),
    path("me/claim/", views.claim, name="claim"),
    path("me/claim/code/", views.claim_code, name="claim-code"),
    path("workspace/claims/<str:uid>/decide/", views.residency_decide, name="residency-decide"),
    path("workspace/places/<str:uid>/claim-codes/", views.claim_codes, name="claim-codes"),
    path("workspace/places/<str:uid>/people/", views.people_list, name="people-list"),
    path("workspace/people/<str:uid>/phone/", views.phone_reveal, name="phone-reveal"),
    path("me/data/", privacy_views.my_data, name="my-data"),
    path(
        "workspace/people/<str:uid>/data/", privacy_views.person_data_export, name="person-export"
    ),
    path("workspace/people/<str:uid>/erase/", privacy_views.person_data_erase, name="person-erase"),
]
