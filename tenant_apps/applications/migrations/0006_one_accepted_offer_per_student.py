from django.db import migrations, models


class Migration(migrations.Migration):
    """A student never holds two accepted offers (0004 released the extra ones first)."""

    dependencies = [
        ("applications", "0005_offer_tiers_from_policy"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deleted_at__isnull", True), ("status", "accepted")),
                fields=("student",),
                name="application_one_accepted_per_student",
            ),
        ),
    ]
