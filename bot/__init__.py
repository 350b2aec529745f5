"""The newcomer assistant's own logic, kept apart from Rasa so it can be tested without it.

Modules: ``language`` (detection, normalisation), ``municipalities`` (gazetteer),
``i18n`` (Babel catalogs and formatting), ``content`` (published answers and facts),
``answers`` (composes replies), ``nlu_components`` (the Rasa pipeline's custom parts),
``tracker_store`` (Rasa's tracker store on ``DATABASE_URL``), ``settings`` (environment).
"""
