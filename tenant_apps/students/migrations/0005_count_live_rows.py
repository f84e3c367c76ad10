from django.db import migrations

from tenant_apps.kit.counting import CountLiveRows


class Migration(migrations.Migration):
    """Live rows counted by triggers: a staff list's total without COUNT(*) (kit/counting.py)."""

    dependencies = [
        ("students", "0004_marks_verification_queue_placed_tier"),
        ("kit", "0001_initial"),
    ]

    operations = [
        CountLiveRows("students_student"),
    ]
