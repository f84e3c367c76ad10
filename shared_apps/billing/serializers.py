from rest_framework import serializers

from shared_apps.billing.models import Plan


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["code", "name", "price_monthly", "currency", "limits", "features"]
