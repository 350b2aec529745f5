"""Rasa custom actions (``rasa run actions --actions actions``)."""
