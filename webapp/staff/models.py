"""Who may do what, for which municipalities, and the record of what they did.

A user without a ``StaffProfile`` (and not a superuser) has no access to the staff pages at all.
Roles are cumulative: a publisher can do what an editor can, an admin can do everything for
every municipality. Superusers count as admins, so ``createsuperuser`` gives a working admin.
"""

from django.conf import settings
from django.db import models

from webapp.content.models import Language, Municipality


class Role(models.TextChoices):
    EDITOR = "editor", "Redaktör (skriver utkast)"
    PUBLISHER = "publisher", "Granskare/publicerare"
    ADMIN = "admin", "Administratör"


# Higher rank includes the lower ones.
ROLE_RANK = {Role.EDITOR: 1, Role.PUBLISHER: 2, Role.ADMIN: 3}


class Area(models.TextChoices):
    """The departments whose answers a person edits (topic keys begin with the area)."""

    SFI = "sfi", "SFI"
    HOUSING = "housing", "Bostad"
    SCHOOL = "school", "Skola"
    GENERAL = "general", "Allmänt och kris"


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EDITOR)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, help_text="The municipalities this person works for (admins: all).")
    languages = models.JSONField(
        default=list, blank=True,
        help_text=f"Language codes this person reads and writes: {', '.join(Language.values)}.")
    areas = models.JSONField(
        default=list, blank=True,
        help_text=f"Areas this person edits: {', '.join(Area.values)}; empty means all areas.")
    national_pool = models.BooleanField(
        default=False, help_text="Takes hand-off tickets from any municipality when no local staff can.")
    # What a newcomer sees when this person answers ("Amina, Nacka kommun"): never the login
    # name, which can be an e-mail address or an employee number.
    display_name = models.CharField(
        "visningsnamn", max_length=80, blank=True,
        help_text="Namnet som nyanlända ser när du svarar, till exempel \"Amina, Nacka kommun\".")

    def __str__(self):
        return f"{self.user} ({self.role})"


class AuditEntry(models.Model):
    """One thing a person did: changed, published, viewed, exported or deleted something."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Kept when the account is deleted, so the log still says who it was.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=255, blank=True)
    municipality = models.CharField(max_length=4, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.target_type} {self.target_id}"


class FailedLogin(models.Model):
    """A failed sign-in, kept for the rate limit (``webapp.staff.views.StaffLoginView``)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
