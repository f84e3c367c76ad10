from django.apps import AppConfig


class WebConfig(AppConfig):
    """The workspace shell on every college host: page sign-in, layout, components, error pages."""

    name = "core.web"
    label = "web"
