from django.urls import path

from zhixing.funds import due_views

urlpatterns: list = [
    path("cases/<int:case_id>/notice.docx", due_views.execution_notice, name="case_execution_notice"),
]
