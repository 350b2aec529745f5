"""Forms of the review pages that change something: a training example, a content task, and the
date range of the unanswered list and the dashboard."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from webapp.content.models import Language, Municipality
from webapp.transcripts.filters import LANGUAGE_LABELS
from webapp.transcripts.models import ContentTask, TrainingExample, question_key
from webapp.transcripts.unanswered import domain_intents

LANGUAGE_CHOICES = [(code, LANGUAGE_LABELS[code]) for code in Language.values]
DEFAULT_DAYS = 30


class DateRangeForm(forms.Form):
    """From/to dates, both included; the last ``DEFAULT_DAYS`` days up to today when not given."""

    date_from = forms.DateField(label="Från och med", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Till och med", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    MAX_DAYS = 366 * 3

    def __init__(self, data=None):
        start, end = default_range()
        super().__init__(data, initial={"date_from": start, "date_to": end})

    def _dates(self, cleaned):
        end = cleaned.get("date_to") or timezone.localdate()
        return cleaned.get("date_from") or end - dt.timedelta(days=DEFAULT_DAYS - 1), end

    def clean(self):
        cleaned = super().clean()
        start, end = self._dates(cleaned)
        if start > end:
            self.add_error("date_to", "Slutdatum före startdatum.")
        elif (end - start).days > self.MAX_DAYS:
            self.add_error("date_from", "Högst tre år åt gången.")
        return cleaned

    def range(self):
        """(first day, last day) asked for, or the default range when the input is not valid
        (the form then shows why)."""
        if not self.is_valid():
            return default_range()
        return self._dates(self.cleaned_data)


def default_range():
    today = timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


class UnansweredFilterForm(DateRangeForm):
    language = forms.ChoiceField(label="Språk", required=False, choices=[("", "Alla")] + LANGUAGE_CHOICES)
    include_handled = forms.BooleanField(label="Visa även hanterade frågor", required=False)


class TrainingExampleForm(forms.ModelForm):
    intent = forms.ChoiceField(label="Avsikt (intent)")
    language = forms.ChoiceField(label="Språk", choices=LANGUAGE_CHOICES)

    class Meta:
        model = TrainingExample
        fields = ["text", "language", "intent"]
        labels = {"text": "Text"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intent"].choices = [(name, name) for name in domain_intents()]

    def clean_text(self):
        # One line: an NLU example is one message.
        text = " ".join(self.cleaned_data["text"].split())
        if not question_key(text):
            raise forms.ValidationError("Texten innehåller inga ord.")
        return text

    def validate_unique(self):
        # The view updates an existing example of the same question instead (a second opinion
        # on the intent replaces the first), so uniqueness is not a form error.
        pass


class ContentTaskForm(forms.ModelForm):
    language = forms.ChoiceField(label="Språk", choices=LANGUAGE_CHOICES)
    # A name or an SCB code typed with the help of a list, rather than a select of 290
    # municipalities repeated for every question on the page.
    municipality = forms.CharField(
        label="Kommun", required=False, max_length=100,
        help_text="Namn eller kod; tomt betyder nationellt innehåll (bara administratörer ser uppgiften).")

    class Meta:
        model = ContentTask
        fields = ["text", "language", "municipality", "note"]
        labels = {"text": "Fråga", "note": "Anteckning till redaktören"}

    def clean_text(self):
        return " ".join(self.cleaned_data["text"].split())

    def clean_municipality(self):
        value = " ".join(self.cleaned_data["municipality"].split())
        if not value:
            return None
        municipality = (Municipality.objects.filter(code=value).first()
                        or Municipality.objects.filter(name__iexact=value).first())
        if municipality is None:
            raise forms.ValidationError(f"Ingen kommun heter ”{value}”.")
        return municipality
