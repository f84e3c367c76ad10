from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "tenant_apps.students"
    label = "students"
    verbose_name = "Students"
