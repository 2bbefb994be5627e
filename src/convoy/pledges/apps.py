from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "convoy.pledges"
    label = "pledges"
