from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "qinlin.stats"
    label = "stats"
    verbose_name = _("数据看板")

    def ready(self) -> None:
        from qinlin.stats.cache import connect

        connect()
