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
