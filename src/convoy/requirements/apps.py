from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    name = "convoy.requirements"
    label = "requirements"
