from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "zhixing.funds"
    verbose_name = "案款"
