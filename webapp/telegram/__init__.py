"""Telegram front end: webhook inbox and delivery queue (see bot/telegram/)."""
