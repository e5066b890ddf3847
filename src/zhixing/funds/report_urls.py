from django.urls import path

from zhixing.funds import report_views

urlpatterns = [
    path("funds/reconcile/", report_views.reconcile_page, name="funds_reconcile"),
    path(
        "cases/<int:case_id>/account.xlsx", report_views.case_account_xlsx, name="case_account_xlsx"
    ),
    path(
        "cases/<int:case_id>/account.docx", report_views.case_account_docx, name="case_account_docx"
    ),
]
