from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "zhixing.intake"
    verbose_name = "立案"
