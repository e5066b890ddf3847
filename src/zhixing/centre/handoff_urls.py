from django.urls import path

from zhixing.centre import handoff_views as views

urlpatterns = [
    path("cases/<int:case_id>/hand-off/", views.case_hand_off, name="case_hand_off"),
    path("cases/<int:case_id>/hand-back/", views.case_hand_back, name="case_hand_back"),
    path("cases/<int:case_id>/reassign/", views.case_reassign, name="case_reassign"),
    path("teams/<str:kind>/", views.team_detail, name="team_detail"),
    path("teams/<str:kind>/absences/", views.team_absence_add, name="team_absence_add"),
    path("absences/<int:absence_id>/cancel/", views.absence_cancel, name="absence_cancel"),
]
