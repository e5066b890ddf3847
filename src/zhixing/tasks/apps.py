from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "zhixing.tasks"
    verbose_name = "待办事项"
