from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.notifications import services
from tenant_apps.notifications.selectors import preference_of
from tenant_apps.notifications.serializers import PreferenceInput, PreferenceOutput


class PreferencesApi(APIView):
    """The signed-in user's e-mail preferences: non-essential mail can be turned off by
    category; essential mail (`always_sent`) cannot."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferenceOutput)
    def get(self, request):
        return Response(PreferenceOutput(preference_of(request.user)).data)

    @extend_schema(request=PreferenceInput, responses=PreferenceOutput)
    def patch(self, request):
        data = PreferenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        preference = services.preference_update(user=request.user, **data.validated_data)
        return Response(PreferenceOutput(preference).data)
