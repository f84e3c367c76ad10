"""College files are partitioned by schema: locally (django-tenants' TenantFileSystemStorage) and
on S3 (`FILE_STORAGE=s3`), without any request to S3 here."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.files.storage import TenantFileSystemStorage
from django_tenants.utils import tenant_context

from tenant_apps.kit.storage import TenantS3Storage
from tests.config.test_settings import SAMPLE_ENVIRONMENT, manage


@pytest.mark.parametrize(("location", "prefix"), [("", ""), ("media", "media/")])
def test_s3_keys_live_under_the_colleges_schema(college, other_college, location, prefix):
    storage = TenantS3Storage(
        bucket_name="placemate-files", location=location, access_key="k", secret_key="s"
    )

    with tenant_context(college):
        ours = storage._normalize_name("resumes/a.pdf")
    with tenant_context(other_college):
        theirs = storage._normalize_name("resumes/a.pdf")

    assert ours == f"{prefix}{college.schema_name}/resumes/a.pdf"
    assert theirs == f"{prefix}{other_college.schema_name}/resumes/a.pdf"
    assert (storage.default_acl, storage.querystring_auth) == ("private", True)


def test_local_files_live_under_the_colleges_schema(college, other_college):
    default_storage._setup()
    assert isinstance(default_storage._wrapped, TenantFileSystemStorage)
    with tenant_context(college):
        name = default_storage.save("resumes/probe.pdf", ContentFile(b"%PDF-"))
        ours = default_storage.path(name)
    with tenant_context(other_college):
        theirs_exists = default_storage.exists(name)
    with tenant_context(college):
        default_storage.delete(name)

    assert f"/{college.schema_name}/resumes/" in ours
    assert theirs_exists is False


def test_file_storage_s3_is_chosen_by_the_environment():
    env = {
        **SAMPLE_ENVIRONMENT,
        "FILE_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "placemate-files",
        "AWS_LOCATION": "colleges",
    }
    code = (
        "from django.conf import settings; s = settings.STORAGES['default']; "
        "print(s['BACKEND'], s['OPTIONS']['bucket_name'], s['OPTIONS']['location'], "
        "settings.RESUME_MAX_BYTES)"
    )

    result = manage("shell", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "tenant_apps.kit.storage.TenantS3Storage",
        "placemate-files",
        "colleges",
        str(5 * 1024 * 1024),
    ]
