"""Staff accounts: roles per municipality, access checks, the audit log and the staff pages' frame."""
