from django.conf import settings
from django.db import models


class UsageSnapshot(models.Model):
    """A college's usage, refreshed by a periodic task and on relevant changes, so that the
    console lists a thousand colleges without scanning a thousand schemas."""

    college = models.OneToOneField(
        "tenants.College", on_delete=models.CASCADE, related_name="usage"
    )
    students = models.PositiveIntegerField(default=0)
    staff = models.PositiveIntegerField(default=0)
    drives = models.PositiveIntegerField(default=0)
    applications = models.PositiveIntegerField(default=0)
    storage_mb = models.PositiveIntegerField(default=0)
    admin_email = models.EmailField(blank=True, db_index=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(auto_now=True)
    # the college's data version when counted: the hourly refresh skips it while unchanged
    data_version = models.CharField(max_length=40, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Usage of {self.college}"


class OperatorActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The operator audit log cannot be changed.")

    def delete(self):
        raise PermissionError("The operator audit log cannot be deleted.")


class OperatorAction(models.Model):
    """Every operator action on a college: who, what, which college, why, when, from where.
    Append-only: rows cannot be changed or deleted through the ORM or the console."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    operator_email = models.EmailField()
    action = models.CharField(max_length=40)
    college = models.ForeignKey(
        "tenants.College", null=True, on_delete=models.SET_NULL, related_name="operator_actions"
    )
    college_name = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = OperatorActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.operator_email} {self.action} {self.college_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The operator audit log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The operator audit log cannot be deleted.")
