"""Bump the content revision whenever an answer or fact version or a crisis line is saved or deleted."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from webapp.content.models import AnswerVersion, ContentRevision, CrisisLine, FactVersion


@receiver([post_save, post_delete], sender=AnswerVersion)
@receiver([post_save, post_delete], sender=FactVersion)
@receiver([post_save, post_delete], sender=CrisisLine)
def bump_revision(**_kwargs):
    updated = ContentRevision.objects.filter(pk=1).update(number=F("number") + 1)
    if not updated:
        ContentRevision.objects.get_or_create(pk=1, defaults={"number": 1})
