from django.db import migrations

from tenant_apps.kit.counting import CountLiveRows


class Migration(migrations.Migration):
    """Live rows counted by triggers: a staff list's total without COUNT(*) (kit/counting.py)."""

    dependencies = [
        ("drives", "0003_marks_tiers_named_lists"),
        ("kit", "0001_initial"),
    ]

    operations = [
        CountLiveRows("drives_drive"),
    ]
