"""The register-facts cache table, shared by all action-server workers (see bot.facts.cache)."""

from django.db import models


class CachedFacts(models.Model):
    """Parsed register data for one source and municipality, with its fetch date and expiry."""

    key = models.CharField(max_length=80, unique=True)  # "<source>:<municipality code>"
    source = models.CharField(max_length=40)
    municipality = models.CharField(max_length=4)
    payload = models.JSONField()
    fetched_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "cached facts"
        indexes = [models.Index(fields=["source", "municipality"])]

    def __str__(self) -> str:
        return f"{self.key} (fetched {self.fetched_at:%Y-%m-%d %H:%M})"
