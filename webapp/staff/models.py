"""Who may do what, for which municipalities, and the record of what they did.

A user without a ``StaffProfile`` (and not a superuser) has no access to the staff pages at all.
Roles are cumulative: a publisher can do what an editor can, an admin can do everything for
every municipality. Superusers count as admins, so ``createsuperuser`` gives a working admin.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from webapp.content.models import Language, Municipality


class Role(models.TextChoices):
    EDITOR = "editor", "Redaktör (skriver utkast)"
    PUBLISHER = "publisher", "Granskare/publicerare"
    # Publishes like a publisher and manages the accounts of editors and publishers in their
    # own municipalities (/staff/accounts/); sees nothing of other municipalities.
    MUNICIPALITY_ADMIN = "municipality_admin", "Kommunadministratör"
    ADMIN = "admin", "Administratör"


# Higher rank includes the lower ones.
ROLE_RANK = {Role.EDITOR: 1, Role.PUBLISHER: 2, Role.MUNICIPALITY_ADMIN: 3, Role.ADMIN: 4}


class Area(models.TextChoices):
    """The departments whose answers a person edits (topic keys begin with the area)."""

    SFI = "sfi", "SFI"
    HOUSING = "housing", "Bostad"
    SCHOOL = "school", "Skola"
    GENERAL = "general", "Allmänt och kris"


def _check_codes(value, allowed, what: str) -> None:
    """A JSON list of codes is valid only with known codes: ``["dari"]`` is refused here rather
    than stored to make routing fail quietly later. The message names the allowed codes."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(f"Ange {what} som en lista med koder.", code="unknown_code")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValidationError(
            f"Okänd kod för {what}: {', '.join(unknown)}. Tillåtna: {', '.join(allowed)}.", code="unknown_code")


def validate_language_codes(value) -> None:
    _check_codes(value, Language.values, "språk")


def validate_area_codes(value) -> None:
    _check_codes(value, Area.values, "område")


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile",
                                verbose_name="användare")
    role = models.CharField("roll", max_length=32, choices=Role.choices, default=Role.EDITOR)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, verbose_name="kommuner",
        help_text="Kommunerna personen arbetar för (administratörer: alla).")
    languages = models.JSONField(
        "språk", default=list, blank=True, validators=[validate_language_codes],
        help_text="Språk som personen läser och skriver.")
    areas = models.JSONField(
        "områden", default=list, blank=True, validators=[validate_area_codes],
        help_text="Områden vars svar personen redigerar; inget valt betyder alla områden.")
    national_pool = models.BooleanField(
        "nationell pool", default=False,
        help_text="Tar ärenden från alla kommuner när ingen lokal personal kan.")
    # What a newcomer sees when this person answers ("Amina, Nacka kommun"): never the login
    # name, which can be an e-mail address or an employee number.
    display_name = models.CharField(
        "visningsnamn", max_length=80, blank=True,
        help_text="Namnet som nyanlända ser när du svarar, till exempel \"Amina, Nacka kommun\".")

    class Meta:
        verbose_name = "personalprofil"
        verbose_name_plural = "personalprofiler"

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
        verbose_name = "händelse i loggen"
        verbose_name_plural = "granskningslogg"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.target_type} {self.target_id}"


class FailedLogin(models.Model):
    """A failed sign-in, kept for the rate limit (``webapp.staff.views.StaffLoginView``)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
