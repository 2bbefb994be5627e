from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "convoy.planning"
    label = "planning"
