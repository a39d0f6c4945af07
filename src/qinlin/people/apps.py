from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "qinlin.people"
    label = "people"
    verbose_name = _("人员")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from qinlin.people.middleware import session_mark_staff

        user_logged_in.connect(session_mark_staff, dispatch_uid="qinlin.people.staff_session")
