from django.apps import AppConfig


class CentreConfig(AppConfig):
    name = "zhixing.centre"
    verbose_name = "执行指挥中心"
