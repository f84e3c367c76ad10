from django.db import migrations

from tenant_apps.kit.counting import CountLiveRows


class Migration(migrations.Migration):
    """Live rows counted by triggers: a staff list's total without COUNT(*) (kit/counting.py)."""

    dependencies = [
        ("applications", "0006_one_accepted_offer_per_student"),
        ("kit", "0001_initial"),
    ]

    operations = [
        CountLiveRows("applications_application"),
        CountLiveRows("applications_offer"),
    ]
