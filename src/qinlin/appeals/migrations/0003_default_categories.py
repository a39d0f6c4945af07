"""The six default categories of issue 3; staff may rename, reorder or retire them."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

DEFAULTS = [
    ("property", "物业服务", "Property services"),
    ("environment", "环境整治", "Environment"),
    ("facilities", "服务设施", "Service facilities"),
    ("complaints", "居民投诉", "Resident complaints"),
    ("parking", "停车充电", "Parking and charging"),
    ("elderly", "养老与社区服务", "Elderly and community services"),
]


def add(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    category = apps.get_model("appeals", "Category")
    for order, (code, name, name_en) in enumerate(DEFAULTS, start=1):
        category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )


def remove(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("appeals", "Category").objects.filter(
        code__in=[code for code, _name, _en in DEFAULTS], appeals__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_initial")]

    operations = [migrations.RunPython(add, remove)]
