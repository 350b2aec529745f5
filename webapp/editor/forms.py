"""Forms of the content editor (validation only; templates lay the fields out themselves so
that right-to-left fields get ``dir`` and ``lang``)."""

from django import forms

from bot.language import LANGUAGES
from webapp.content.models import FactKind

FACT_KIND_LABELS = {
    FactKind.SFI_PROVIDER: "SFI-anordnare",
    FactKind.HOUSING_QUEUE: "Bostadskö",
    FactKind.HOUSING_CONTACT: "Bostadskontakt (mottagning, akut)",
    FactKind.SCHOOL_PLACEMENT: "Skolplacering",
    FactKind.PRESCHOOL_PLACEMENT: "Förskoleplacering",
    FactKind.UPPER_SECONDARY_PLACEMENT: "Gymnasieplacering (nyanlända)",
}


class FactForm(forms.Form):
    name = forms.CharField(label="Namn", max_length=200)
    url = forms.URLField(label="Länk", required=False, max_length=200, assume_scheme="https")
    phone = forms.CharField(label="Telefon", required=False, max_length=40)
    notes_sv = forms.CharField(label="Kort anteckning på svenska", required=False, max_length=500,
                               widget=forms.Textarea)
    notes_ar = forms.CharField(label="Kort anteckning på arabiska", required=False, max_length=500,
                               widget=forms.Textarea)
    notes_fa_AF = forms.CharField(label="Kort anteckning på dari", required=False, max_length=500,
                                  widget=forms.Textarea)
    source_name = forms.CharField(label="Källa (namn)", max_length=200)
    source_url = forms.URLField(label="Källa (länk)", required=False, max_length=200, assume_scheme="https")
    verified_on = forms.DateField(label="Kontrollerad (datum)", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_example = forms.BooleanField(label="Exempeldata (inte kontrollerad mot kommunens webbplats)", required=False)

    def values(self) -> dict:
        """The cleaned data in FactVersion's fields."""
        data = self.cleaned_data
        notes = {lang: data[f"notes_{lang}"].strip() for lang in LANGUAGES if data[f"notes_{lang}"].strip()}
        return {"name": data["name"].strip(), "url": data["url"] or "", "phone": data["phone"].strip(),
                "notes": notes, "source_name": data["source_name"].strip(), "source_url": data["source_url"] or "",
                "verified_on": data["verified_on"], "is_example": data["is_example"]}

    @classmethod
    def initial_from(cls, values: dict) -> dict:
        initial = {k: v for k, v in values.items() if k != "notes"}
        for lang in LANGUAGES:
            initial[f"notes_{lang}"] = (values.get("notes") or {}).get(lang, "")
        return initial


class NewFactForm(FactForm):
    field_order = ["kind", "key"]
    kind = forms.ChoiceField(label="Slag", choices=())
    key = forms.SlugField(label="Nyckel (kort id, t.ex. komvux)", max_length=64)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, FACT_KIND_LABELS.get(k, k)) for k in kinds]


class PreviewForm(forms.Form):
    question = forms.CharField(label="Fråga (på valfritt språk)", max_length=2000, widget=forms.Textarea)
    municipality = forms.ChoiceField(label="Kommun", choices=())
    language = forms.ChoiceField(label="Svarsspråk", required=False, choices=(
        ("", "Som boten väljer (efter frågans språk)"), ("sv", "Svenska"), ("ar", "Arabiska"), ("fa_AF", "Dari")))

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [(m.code, m.name) for m in municipalities]


class ImportForm(forms.Form):
    file = forms.FileField(label="Zip-fil från exporten, eller en .yml-fil")
    as_drafts = forms.BooleanField(label="Importera som utkast (publicera senare) i stället för att publicera direkt",
                                   required=False)
