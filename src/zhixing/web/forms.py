"""The pages' GET forms: the case-list filters and the dashboard's period.

Both are read from the query string, so a filtered list or a period is a link
one can bookmark or send; a bad value is reported and left out, never fatal."""

from __future__ import annotations

from datetime import date

from django import forms

from zhixing.cases.models import EnforcementCase
from zhixing.courts.models import Court, Officer, Team

ANY = [("", "全部")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="案号或当事人", required=False, max_length=64)
    state = forms.ChoiceField(
        label="状态", required=False, choices=ANY + EnforcementCase.State.choices
    )
    type_code = forms.ChoiceField(
        label="案件类型", required=False, choices=ANY + EnforcementCase.TypeCode.choices
    )
    team = forms.ChoiceField(label="团队", required=False, choices=ANY + Team.Kind.choices)
    handler = forms.TypedChoiceField(label="承办人", required=False, coerce=int, empty_value=None)
    closing_mode = forms.ChoiceField(
        label="结案方式", required=False, choices=ANY + EnforcementCase.ClosingMode.choices
    )
    filed_from = _date("立案日期自")
    filed_to = _date("立案日期至")
    closed_from = _date("结案日期自")
    closed_to = _date("结案日期至")
    triaged_from = _date("分流日期自")
    triaged_to = _date("分流日期至")

    def __init__(self, data, *, court: Court):
        super().__init__(data)
        handlers = Officer.objects.filter(court=court, role=Officer.Role.HANDLER).select_related(
            "team"
        )
        self.fields["handler"].choices = ANY + [
            (h.id, f"{h.name}（{h.team.name}）" if h.team_id else h.name)
            for h in handlers.order_by("team_id", "id")
        ]

    def filters(self) -> dict:
        """The values that passed validation; invalid ones do not filter."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class PeriodForm(forms.Form):
    start = _date("起")
    end = _date("止")

    def __init__(self, data, *, today: date):
        super().__init__({"start": data.get("from"), "end": data.get("to")})
        self.today = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        return data

    def period(self) -> tuple[date, date]:
        """The period asked for; the year to date where none (or a bad one) was."""
        default = (date(self.today.year, 1, 1), self.today)
        if not self.is_valid():
            return default
        return (
            self.cleaned_data.get("start") or default[0],
            self.cleaned_data.get("end") or default[1],
        )
