from django.urls import include, path

from zhixing.funds import settings_page, views

urlpatterns = [
    path("funds/", views.funds_home, name="funds_home"),
    path("funds/settings/", settings_page.settings_page, name="funds_settings"),
    path("", include("zhixing.funds.statement_urls")),  # money in: statements, matching, claims
    path("", include("zhixing.funds.due_urls")),  # what is owed: calculator, execution notice
    path("", include("zhixing.funds.payout_urls")),  # money out: plans, approvals, payment files
    path("", include("zhixing.funds.report_urls")),  # reconciliation, account statements
]
