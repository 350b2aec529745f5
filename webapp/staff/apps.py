from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "webapp.staff"
    label = "staff"
    verbose_name = "Staff and audit log"

    def ready(self):
        # Connects the sign-in limit's user_login_failed receiver.
        from webapp.staff import login_limit  # noqa: F401
