from django.db import models


class LiveRows(models.Model):
    """How many rows a table's live rows (`deleted_at IS NULL`) changed by, one row per change;
    their sum is the table's count (counting.py). Written by the database's triggers only."""

    table_name = models.CharField(max_length=63)
    live = models.BigIntegerField()

    class Meta:
        db_table = "kit_live_rows"
        indexes = [models.Index(fields=["table_name"], name="kit_live_rows_table_idx")]

    def __str__(self) -> str:
        return f"{self.table_name} {self.live:+d}"
