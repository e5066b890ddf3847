"""The server-rendered pages. Each view parses the request, calls one
selector, and renders; every page is for signed-in officers and shows only
their own court."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from zhixing.courts.models import Officer
from zhixing.stats.charts import Bar, Series, bar_chart
from zhixing.web.dashboard import CHARTS, chart_data, dashboard_for, presets
from zhixing.web.dossier import dossier_for
from zhixing.web.forms import CaseFilterForm, PeriodForm
from zhixing.web.selectors import board_for, case_list_page, workbench_for

HOME_BY_ROLE = {Officer.Role.CENTRE: "board", Officer.Role.DIRECTOR: "dashboard"}


def officer_required(view):
    """Signed in (else to the login page) and an officer of a court (else 403):
    every page reads its court from request.officer."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            request.officer = request.user.officer
        except ObjectDoesNotExist:
            return HttpResponseForbidden("该账号未关联法院干警，不能使用本系统。")
        return view(request, *args, **kwargs)

    return wrapper


@officer_required
def home(request):
    return redirect(HOME_BY_ROLE.get(request.officer.role, "workbench"))


@require_GET
@officer_required
def board(request):
    officer = request.officer
    data = board_for(court=officer.court, today=timezone.localdate(), tiles_only=bool(request.htmx))
    context = {"nav": "board", "board": data}
    if request.htmx:
        return render(request, "web/board.html#tiles", context)
    return render(request, "web/board.html", context)


@require_GET
@officer_required
def workbench(request):
    bench = workbench_for(
        officer=request.officer,
        today=timezone.localdate(),
        want_team=request.GET.get("team") == "1",
        team_kind=request.GET.get("team_kind", ""),
        page_number=request.GET.get("page", 1),
    )
    return render(request, "web/workbench.html", {"nav": "workbench", "bench": bench})


@require_GET
@officer_required
def case_list(request):
    form = CaseFilterForm(request.GET, court=request.officer.court)
    page = case_list_page(
        court=request.officer.court, filters=form.filters(), page_number=request.GET.get("page", 1)
    )
    return render(request, "web/case_list.html", {"nav": "cases", "form": form, "page": page})


@require_GET
@officer_required
def case_detail(request, case_id: int):
    from zhixing.funds.case_panel import funds_case_context

    dossier = dossier_for(officer=request.officer, case_id=case_id, today=timezone.localdate())
    funds = funds_case_context(case=dossier.case, officer=request.officer, request=request)
    return render(
        request, "web/case_detail.html", {"nav": "cases", "d": dossier, "case": dossier.case, **funds}
    )


@require_GET
@officer_required
def dashboard(request):
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    start, end = form.period()
    period = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    context = {
        "nav": "dashboard",
        "form": form,
        "start": start,
        "end": end,
        "period": period,
        "presets": [
            (label, urlencode({"from": s.isoformat(), "to": e.isoformat()}), (s, e) == (start, end))
            for label, s, e in presets(today)
        ],
        "charts": list(CHARTS),
        "dash": dashboard_for(court=request.officer.court, start=start, end=end),
    }
    return render(request, "web/dashboard.html", context)


@require_GET
@xframe_options_sameorigin  # embedded in the dashboard with <object>
@officer_required
def dashboard_chart(request, name: str):
    if name not in CHARTS:
        raise Http404("没有这个图表")
    start, end = PeriodForm(request.GET, today=timezone.localdate()).period()
    data = chart_data(court=request.officer.court, name=name, start=start, end=end)
    cases = reverse("case_list")
    svg = bar_chart(
        title=data.title,
        x_labels=data.x_labels,
        series=[
            Series(label, [Bar(p.value, f"{cases}?{urlencode(p.filters)}") for p in points])
            for label, points in data.series
        ],
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response
