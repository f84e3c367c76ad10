"""Tenant-aware file storage for production: S3 keys under the college's schema name.

Locally (and in tests) the default storage is django-tenants' `TenantFileSystemStorage`, which
keeps each college's files under `MEDIA_ROOT/<schema>/`. With `FILE_STORAGE=s3`, this class does
the same on S3 (`AWS_LOCATION` may add a prefix: `<prefix>/<schema>/resumes/...`). Objects are
private: files are only ever streamed through the API's authorised endpoints."""

from django_tenants.utils import parse_tenant_config_path
from storages.backends.s3 import S3Storage


class TenantS3Storage(S3Storage):
    default_acl = "private"
    querystring_auth = True
    file_overwrite = False

    @property
    def location(self) -> str:
        return parse_tenant_config_path(self._location_template)

    @location.setter
    def location(self, value: str) -> None:
        self._location_template = (value or "").strip("/")
