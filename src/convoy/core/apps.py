from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "convoy.core"
    label = "core"
    verbose_name = "Core"
