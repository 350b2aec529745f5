"""Transcripts: a searchable index of the conversations Rasa stores, review marks, erasure."""
