"""Forms for staff accounts, shared by the staff app's account pages and Django's admin.

Languages and areas are stored as JSON lists of codes (``StaffProfile.languages``/``areas``);
here they are checkboxes with the languages' and areas' names, so an unknown code such as
``"dari"`` cannot be entered at all, and the model's validators refuse it anywhere else.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password

from webapp.content.models import Language, Municipality
from webapp.staff.models import Area, Role, StaffProfile

# Staff read Swedish; the languages' own names ("العربية") are no help to a colleague who
# sets up an Arabic-speaking editor, so the checkboxes say what the language is called in Swedish.
LANGUAGE_CHOICES_SV = [(Language.SWEDISH.value, "Svenska"), (Language.ARABIC.value, "Arabiska"),
                       (Language.DARI.value, "Dari")]


class MunicipalityCheckboxes(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, municipality):
        return f"{municipality.name} ({municipality.code})"


class StaffProfileAdminForm(forms.ModelForm):
    """The profile part of Django's admin user page: checkboxes instead of JSON boxes."""

    languages = forms.MultipleChoiceField(label="Språk", choices=LANGUAGE_CHOICES_SV, required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text="Språk som personen läser och skriver.")
    areas = forms.MultipleChoiceField(label="Områden", choices=Area.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text="Inget valt betyder alla områden.")

    class Meta:
        model = StaffProfile
        fields = ["role", "display_name", "languages", "areas", "municipalities", "national_pool"]


class AccountForm(forms.Form):
    """Create or edit one staff account on /staff/accounts/.

    ``manager`` is the person filling it in; what they may choose is limited by
    ``webapp.staff.accounts`` (a municipality admin: roles below their own, their own
    municipalities). Every limit is checked again in ``clean``, so a crafted POST gains nothing.
    """

    username = forms.CharField(label="Användarnamn", max_length=150,
                               help_text="Det personen loggar in med. Visas aldrig för nyanlända.")
    display_name = forms.CharField(label="Visningsnamn", max_length=80, required=False,
                                   help_text="Det nyanlända ser när personen svarar, till exempel "
                                             "\"Amina, Nacka kommun\".")
    email = forms.EmailField(label="E-post", required=False)
    role = forms.ChoiceField(label="Roll", widget=forms.RadioSelect)
    languages = forms.MultipleChoiceField(label="Språk personen läser och skriver", choices=LANGUAGE_CHOICES_SV,
                                          widget=forms.CheckboxSelectMultiple, required=False)
    areas = forms.MultipleChoiceField(label="Områden personen redigerar", choices=Area.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False,
                                      help_text="Inget valt betyder alla områden.")
    municipalities = MunicipalityCheckboxes(label="Kommuner", queryset=Municipality.objects.none(), required=False)
    national_pool = forms.BooleanField(label="Tar ärenden från alla kommuner (nationell pool)", required=False)
    is_active = forms.BooleanField(label="Kontot är aktivt", required=False, initial=True)
    password = forms.CharField(label="Lösenord", required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="Nytt konto: ett första lösenord som personen byter. "
                                         "Befintligt konto: lämna tomt för att behålla lösenordet.")

    def __init__(self, *args, manager_roles, municipalities, may_set_national_pool: bool,
                 account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["role"].choices = [(role, Role(role).label) for role in manager_roles]
        self.fields["municipalities"].queryset = municipalities
        self.may_set_national_pool = may_set_national_pool
        if not may_set_national_pool:
            del self.fields["national_pool"]
        if account is None:
            self.fields["password"].required = True

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        others = User.objects.filter(username__iexact=username)
        if self.account is not None:
            others = others.exclude(pk=self.account.pk)
        if others.exists():
            raise forms.ValidationError("Det finns redan ett konto med det användarnamnet.")
        return username

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password, self.account)
        return password

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role and role != Role.ADMIN and not cleaned.get("municipalities") and not cleaned.get("national_pool"):
            self.add_error("municipalities", "Välj minst en kommun: utan kommun ser personen ingenting.")
        return cleaned
