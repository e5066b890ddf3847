from django.urls import path

from zhixing.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
