from django.db import migrations

from tenant_apps.kit.counting import CountLiveRows


class Migration(migrations.Migration):
    """Live rows counted by triggers: a staff list's total without COUNT(*) (kit/counting.py)."""

    dependencies = [
        ("interviews", "0006_drop_slot_audit_actor_indexes"),
        ("kit", "0001_initial"),
    ]

    operations = [
        CountLiveRows("interviews_interview"),
        CountLiveRows("interviews_interviewslot"),
    ]
