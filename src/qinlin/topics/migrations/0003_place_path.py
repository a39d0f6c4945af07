"""Topics carry their place's path, and the board's index uses it (places.models.AtPlace)."""

from django.db import migrations, models

# One statement for every topic already stored; SQLite and PostgreSQL read it alike.
FILL = """
UPDATE topics_topic
SET place_path = (SELECT path FROM places_place WHERE places_place.id = topics_topic.place_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0002_options_steps_meetings"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="topic", name="topic_place_stage"),
        migrations.AddField(
            model_name="topic",
            name="place_path",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="地点路径"
            ),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="topic",
            index=models.Index(
                fields=["place_path", "stage", "created_at"], name="topic_path_stage_created"
            ),
        ),
    ]
