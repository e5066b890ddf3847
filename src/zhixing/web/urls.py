from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhixing.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("board/", views.board, name="board"),
    path("workbench/", views.workbench, name="workbench"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/chart/<str:name>.svg", views.dashboard_chart, name="dashboard_chart"),
    path("", include("zhixing.intake.urls")),
    path("", include("zhixing.tasks.urls")),
    path("", include("zhixing.centre.handoff_urls")),
    path("", include("zhixing.centre.urls")),
    path("", include("zhixing.funds.urls")),
]
