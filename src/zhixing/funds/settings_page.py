"""案款设置: the director sets the court's case-account settings on a page
(approval threshold, days to pay out and to claim, the fee base, the custody
and fee accounts). One form, one service, a log entry per change."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from zhixing.courts.models import Court, Officer
from zhixing.funds.settings import FEE_BASES, FundsSettings, director_limit, funds_settings
from zhixing.rules.money import MoneyError, format_yuan, parse_yuan
from zhixing.web.views import officer_required

FEE_BASE_LABELS = {"claimed": "按申请执行标的额计收", "recovered": "按实际执行到位金额计收"}


class SettingsRefused(Exception):
    """str(e) is Chinese."""


class FundsSettingsForm(forms.Form):
    custody_name = forms.CharField(label="案款专户户名", max_length=64)
    custody_account = forms.CharField(label="案款专户账号", max_length=40, required=False)
    custody_bank = forms.CharField(label="案款专户开户行", max_length=100, required=False)
    fee_name = forms.CharField(label="诉讼费专户户名", max_length=64, required=False)
    fee_account = forms.CharField(label="诉讼费专户账号", max_length=40, required=False)
    fee_bank = forms.CharField(label="诉讼费专户开户行", max_length=100, required=False)
    director_limit = forms.CharField(
        label="执行局长审批上限（元）", help_text="方案合计不超过此数由执行局长审批；超过的再报分管副院长审批"
    )
    payout_days = forms.IntegerField(label="发放期限（日）", min_value=1, max_value=30, help_text="到账通知之日起，执行款物规定为30日")
    payout_warn_days = forms.IntegerField(label="发放到期前提醒（日）", min_value=0, max_value=30)
    claim_days = forms.IntegerField(label="待认领款认领期限（日）", min_value=1, max_value=30)
    fee_base = forms.ChoiceField(label="申请执行费计收基数", choices=[(b, FEE_BASE_LABELS[b]) for b in FEE_BASES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages.update(
                required="请填写", invalid="格式不正确", min_value="不能小于%(limit_value)s", max_value="不能大于%(limit_value)s"
            )

    def clean_director_limit(self) -> int:
        try:
            fen = parse_yuan(self.cleaned_data["director_limit"])
        except MoneyError as e:
            raise forms.ValidationError(str(e)) from None
        if fen <= 0:
            raise forms.ValidationError("应大于零")
        return fen

    def clean(self):
        data = super().clean()
        if data.get("payout_warn_days") is not None and data.get("payout_days") is not None:
            if data["payout_warn_days"] >= data["payout_days"]:
                self.add_error("payout_warn_days", "应小于发放期限")
        return data


def initial_for(s: FundsSettings) -> dict:
    limit = director_limit(s)
    return {
        "custody_name": s.custody_name,
        "custody_account": s.custody_account,
        "custody_bank": s.custody_bank,
        "fee_name": s.fee_name,
        "fee_account": s.fee_account,
        "fee_bank": s.fee_bank,
        "director_limit": format_yuan(limit).replace(",", "") if limit else "",
        "payout_days": s.payout_days,
        "payout_warn_days": s.payout_warn_days,
        "claim_days": s.claim_days,
        "fee_base": s.fee_base,
    }


def funds_settings_update(*, officer: Officer, data: dict, now: datetime) -> Court:
    """Store the director's settings on the court (validated by FundsSettingsForm)."""
    if officer.role != "director":
        raise SettingsRefused("只有执行局长可以修改案款设置")
    with transaction.atomic():
        court = Court.objects.select_for_update().get(id=officer.court_id)
        values = {k: v for k, v in data.items() if k != "director_limit"}
        values["approval_tiers"] = [[data["director_limit"], ["director"]], [None, ["director", "vice_president"]]]
        values["changed_at"] = now.isoformat()
        values["changed_by"] = officer.name
        court.funds_settings = {**(court.funds_settings or {}), **values}
        court.save(update_fields=["funds_settings"])
    return court


@officer_required
def settings_page(request):
    officer = request.officer
    can_edit = officer.role == "director"
    if request.method == "POST":
        form = FundsSettingsForm(request.POST)
        if not can_edit:
            return render(request, "funds/settings.html", {"nav": "funds", "form": form, "can_edit": False}, status=403)
        if form.is_valid():
            funds_settings_update(officer=officer, data=form.cleaned_data, now=timezone.now())
            messages.success(request, "案款设置已保存，新拟定的发放方案按新设置审批。")
            return redirect("funds_settings")
        return render(request, "funds/settings.html", {"nav": "funds", "form": form, "can_edit": True}, status=422)
    s = funds_settings(officer.court)
    form = FundsSettingsForm(initial=initial_for(s))
    raw = officer.court.funds_settings or {}
    context = {
        "nav": "funds",
        "form": form,
        "can_edit": can_edit,
        "custom_tiers": director_limit(s) is None,
        "changed": (raw.get("changed_by"), raw.get("changed_at", "")[:16].replace("T", " ")),
    }
    return render(request, "funds/settings.html", context)
