from django.apps import AppConfig


class InquiryConfig(AppConfig):
    name = "zhixing.inquiry"
    verbose_name = "网络查控"
