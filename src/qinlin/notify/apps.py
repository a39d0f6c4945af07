from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "qinlin.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        from qinlin.core.audit import audit_recorded
        from qinlin.notify.events import on_audit_event

        audit_recorded.connect(on_audit_event, dispatch_uid="qinlin.notify")
