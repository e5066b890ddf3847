from django.http import HttpResponse


def home(request):
    return HttpResponse("执行 Zhixing")
