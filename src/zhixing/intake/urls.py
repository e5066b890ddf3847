from django.urls import path

from zhixing.intake import views

urlpatterns = [
    path("cases/new/", views.case_file, name="case_file"),
    path("cases/import/", views.case_import, name="case_import"),
    path("cases/import/template.xlsx", views.import_template, name="import_template"),
]
