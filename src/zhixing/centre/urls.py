from django.urls import path

from zhixing.centre import views

urlpatterns = [
    path("centre/rules/", views.ruleset_list, name="ruleset_list"),
    path("centre/rules/new/", views.ruleset_new, name="ruleset_new"),
    path("centre/rules/<int:version>/", views.ruleset_detail, name="ruleset_detail"),
    path("centre/rules/<int:version>/activate/", views.ruleset_activate_view, name="ruleset_activate"),
    path("cases/<int:case_id>/reroute/", views.case_reroute, name="case_reroute"),
]
