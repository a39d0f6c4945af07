from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from qinlin.api.api import api

admin.site.site_header = _("亲邻议事 管理后台")
admin.site.site_title = _("亲邻议事")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("", include("qinlin.core.urls")),
    path("places/", include("qinlin.places.urls")),
    path("appeals/", include("qinlin.appeals.urls")),
    path("topics/", include("qinlin.topics.urls")),
    path("votes/", include("qinlin.votes.urls")),
    path("works/", include("qinlin.works.urls")),
    path("disclosure/", include("qinlin.disclosure.urls")),
    path("evaluation/", include("qinlin.evaluation.urls")),
    path("organisations/", include("qinlin.organisations.urls")),
    path("notifications/", include("qinlin.notify.urls")),
    path("stats/", include("qinlin.stats.urls")),
    path("n/", include("qinlin.disclosure.public_urls")),
    path("", include("qinlin.people.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "qinlin.core.failures.bad_request"
handler500 = "qinlin.core.failures.server_error"
