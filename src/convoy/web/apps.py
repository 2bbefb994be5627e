from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "convoy.web"
    label = "web"
