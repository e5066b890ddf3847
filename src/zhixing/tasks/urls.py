from django.urls import path

from zhixing.tasks import views

urlpatterns = [
    path("cases/<int:case_id>/field-inquiries/", views.field_inquiry_order, name="field_inquiry_order"),
    path("tasks/<int:task_id>/field-result/", views.field_inquiry_result, name="field_inquiry_result"),
    path("cases/<int:case_id>/leads/", views.lead_new, name="lead_report"),
    path("leads/<int:lead_id>/check/", views.lead_checked, name="lead_check"),
    path("cases/<int:case_id>/extension/", views.extension_new, name="extension_request"),
    path("extensions/<int:extension_id>/decide/", views.extension_decided, name="extension_decide"),
    path("digest/", views.digest, name="digest"),
]
