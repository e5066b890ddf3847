from django.urls import path

from zhixing.funds import due_views

urlpatterns: list = [
    path("cases/<int:case_id>/terms/", due_views.case_terms, name="case_terms"),
    path("cases/<int:case_id>/notice.docx", due_views.execution_notice, name="case_execution_notice"),
]
