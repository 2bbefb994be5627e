from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "convoy.catalog"
    label = "catalog"
