from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from core.audit.models import SoftDeleteModel


class Company(SoftDeleteModel):
    """A recruiting company, as the college's placement office knows it."""

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(deleted_at__isnull=True),
                name="company_name_unique_alive",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Recruiter(SoftDeleteModel):
    """A recruiter user, bound to one company: sees only that company's drives and applicants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recruiter"
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="recruiters")

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"
