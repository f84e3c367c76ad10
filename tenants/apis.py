from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import IsCollegeAdmin
from tenants.lifecycle import college_cancel, export_from_token


class CancelInput(serializers.Serializer):
    confirm = serializers.CharField(help_text="The college's sub-domain, typed to confirm.")


class WorkspaceCancelApi(APIView):
    """The admin cancels the college: its data is exported and mailed to the admins, the host
    stops answering at once, and everything is deleted after the retention period."""

    permission_classes = [IsCollegeAdmin]

    @extend_schema(request=CancelInput, responses={200: None})
    def post(self, request):
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        college = connection.tenant
        if data.validated_data["confirm"].strip().lower() != college.subdomain:
            raise ValidationError({"confirm": ["Type the sub-domain of the college to confirm."]})
        root = f"{request.scheme}://{settings.PLATFORM_DOMAIN}"
        port = request.get_port()
        if port not in ("80", "443"):
            root += f":{port}"
        college_cancel(college=college, link_base=root)
        return Response({"detail": "The college is cancelled; the data export link was mailed."})


class ExportDownloadApi(APIView):
    """Root domain: a cancelled college's data export, by the signed link mailed to its admins."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request, token: str):
        college = export_from_token(token)
        if college is None or not college.export_file:
            raise NotFound("This link is invalid or has expired.")
        handle = storages["exports"].open(college.export_file, "rb")
        return FileResponse(
            handle, as_attachment=True, filename=f"{college.subdomain}-export.zip",
            content_type="application/zip",
        )  # fmt: skip
