"""Appeals carry their place's path, and the inbox's indexes use it (models.Appeal)."""

from django.db import migrations, models

# One statement for every appeal already stored; SQLite and PostgreSQL read it alike.
FILL = """
UPDATE appeals_appeal
SET place_path = (SELECT path FROM places_place WHERE places_place.id = appeals_appeal.place_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0004_place_status_created_index"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="appeal", name="appeal_status_created"),
        migrations.RemoveIndex(model_name="appeal", name="appeal_place_status_created"),
        migrations.AddField(
            model_name="appeal",
            name="place_path",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="地点路径"
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                fields=["place_path", "created_at", "id"], name="appeal_path_created"
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                fields=["status", "place_path", "created_at"], name="appeal_status_path_created"
            ),
        ),
    ]
