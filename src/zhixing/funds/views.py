"""案款: the bureau's money at a glance, and the way to each task."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhixing.funds.ledger import all_case_balances_total, custody_balance, unclaimed_balance
from zhixing.rules.money import format_yuan
from zhixing.web.views import officer_required


@require_GET
@officer_required
def funds_home(request):
    court = request.officer.court
    context = {
        "nav": "funds",
        "custody": format_yuan(custody_balance(court.id)),
        "cases_total": format_yuan(all_case_balances_total(court.id)),
        "unclaimed": format_yuan(unclaimed_balance(court.id)),
    }
    return render(request, "funds/home.html", context)
