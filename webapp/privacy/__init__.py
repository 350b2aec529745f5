"""Data protection: retention, erasure and export of a person's conversations, the audit log."""
