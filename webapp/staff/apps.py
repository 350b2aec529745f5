from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "webapp.staff"
    label = "staff"
    verbose_name = "Staff and audit log"
