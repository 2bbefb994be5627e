from django.apps import AppConfig


class NationsConfig(AppConfig):
    name = "convoy.nations"
    label = "nations"
