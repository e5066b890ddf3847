from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "zhixing.stats"
    verbose_name = "质效指标"
