"""Notices carry their place's path, and their index uses it (places.models.AtPlace)."""

from django.db import migrations, models

# One statement for every notice already stored; SQLite and PostgreSQL read it alike.
FILL = """
UPDATE disclosure_notice
SET place_path = (SELECT path FROM places_place WHERE places_place.id = disclosure_notice.place_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0002_evaluation_notices"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notice", name="notice_state_published"),
        migrations.AddField(
            model_name="notice",
            name="place_path",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="地点路径"
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(fields=["place_path", "published_at"], name="notice_path_published"),
        ),
    ]
