# Issue 13: the review cycle of the national texts (sources, review dates, law changes) and a
# fact kind of its own for preschool and for upper secondary placement.

from django.db import migrations, models


def load_topic_reviews(apps, schema_editor):
    from webapp.content.topic_reviews import sync_topic_reviews
    sync_topic_reviews(apps.get_model("content", "TopicReview"))


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0002_versions_workflow"),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicReview",
            fields=[
                ("topic", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("sources", models.JSONField(blank=True, default=list, help_text="[{title, url}, …]")),
                ("reviewed_on", models.DateField(blank=True, null=True)),
                ("review_by", models.DateField(blank=True, null=True)),
                ("law_change", models.CharField(blank=True, max_length=500)),
            ],
            options={"ordering": ["topic"]},
        ),
        migrations.AlterField(
            model_name="factversion",
            name="kind",
            field=models.CharField(choices=[
                ("sfi_provider", "SFI provider"),
                ("housing_queue", "Housing queue"),
                ("housing_contact", "Housing contact (settlement, emergencies)"),
                ("school_placement", "School placement contact"),
                ("school_preschool_placement", "Preschool placement contact"),
                ("school_upper_secondary_placement", "Upper secondary placement contact (newcomers)"),
            ], max_length=32),
        ),
        migrations.RunPython(load_topic_reviews, migrations.RunPython.noop),
    ]
