"""The facts app: the shared cache table of register data and the ``facts_refresh`` command."""

from django.apps import AppConfig


class FactsConfig(AppConfig):
    name = "webapp.facts"
    label = "facts"
    verbose_name = "Register facts cache"
