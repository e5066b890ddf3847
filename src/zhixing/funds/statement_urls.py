"""Money in: bank statements, the claim queue (statement_views.py)."""

from django.urls import path

from zhixing.funds import statement_views as views

urlpatterns = [
    path("funds/statements/", views.statements, name="funds_statements"),
    path("funds/statements/<int:statement_id>/", views.statement_lines, name="funds_statement"),
    path("funds/claims/", views.claims, name="funds_claims"),
    path("funds/claims/<int:line_id>/claim", views.claim, name="funds_claim"),
    path("funds/claims/<int:line_id>/return", views.claim_return, name="funds_claim_return"),
]
