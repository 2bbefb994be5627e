from django.apps import AppConfig


class NationsConfig(AppConfig):
    name = "convoy.nations"
    label = "nations"

    def ready(self) -> None:
        from . import security, tokens  # noqa: F401  (tokens: its OpenAPI scheme extension)

        security.connect()
