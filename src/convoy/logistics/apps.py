from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "convoy.logistics"
    label = "logistics"
