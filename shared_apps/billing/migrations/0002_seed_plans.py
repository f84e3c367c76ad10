from decimal import Decimal

from django.db import migrations

PLANS = [
    {
        "code": "trial",
        "name": "Trial",
        "price_monthly": Decimal("0"),
        "sort_order": 0,
        "limits": {"max_students": 200, "max_active_drives": 5, "max_staff": 3, "storage_mb": 500},
        "features": {
            "assessments": True,
            "recommendations": True,
            "exports": True,
            "custom_branding": False,
        },
    },
    {
        "code": "starter",
        "name": "Starter",
        "price_monthly": Decimal("49"),
        "sort_order": 1,
        "limits": {
            "max_students": 500,
            "max_active_drives": 10,
            "max_staff": 5,
            "storage_mb": 2000,
        },
        "features": {
            "assessments": False,
            "recommendations": False,
            "exports": True,
            "custom_branding": False,
        },
    },
    {
        "code": "growth",
        "name": "Growth",
        "price_monthly": Decimal("149"),
        "sort_order": 2,
        "limits": {
            "max_students": 3000,
            "max_active_drives": 50,
            "max_staff": 20,
            "storage_mb": 20000,
        },
        "features": {
            "assessments": True,
            "recommendations": True,
            "exports": True,
            "custom_branding": False,
        },
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "price_monthly": Decimal("499"),
        "sort_order": 3,
        "limits": {
            "max_students": 20000,
            "max_active_drives": 500,
            "max_staff": 100,
            "storage_mb": 200000,
        },
        "features": {
            "assessments": True,
            "recommendations": True,
            "exports": True,
            "custom_branding": True,
        },
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for plan in PLANS:
        code = plan["code"]
        Plan.objects.update_or_create(
            code=code, defaults={k: v for k, v in plan.items() if k != "code"}
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
