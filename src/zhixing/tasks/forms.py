"""The small POST forms of the case page (线下查询, 财产线索, 延长审限).

They only read what was typed; the services judge it and answer in Chinese."""

from __future__ import annotations

from django import forms

from zhixing.rules.assets import ASSET_KINDS

KIND_CHOICES = list(ASSET_KINDS.items())
MAYBE_KIND = [("", "未查得财产")] + KIND_CHOICES


class DateInput(forms.DateInput):
    input_type = "date"


class FieldInquiryForm(forms.Form):
    officer = forms.IntegerField(label="外出查询干警")
    place = forms.CharField(label="查询地点", max_length=100)
    due_on = forms.DateField(label="完成期限", widget=DateInput())
    note = forms.CharField(label="说明", required=False, max_length=200)


class FoundForm(forms.Form):
    """At most one found asset per submission (a second one: submit again on
    another task, or record it in the result text)."""

    result = forms.CharField(label="结果", max_length=500)
    kind = forms.ChoiceField(label="查得财产类型", choices=MAYBE_KIND, required=False)
    holder = forms.CharField(label="协助单位", required=False, max_length=64)
    value = forms.CharField(label="价值（元）", required=False, max_length=32)
    detail = forms.CharField(label="说明", required=False, max_length=128)
    debtor = forms.IntegerField(label="被执行人", required=False)


class LeadForm(forms.Form):
    kind = forms.ChoiceField(label="财产类型", choices=KIND_CHOICES)
    description = forms.CharField(label="线索内容", max_length=500)
    urgent = forms.BooleanField(label="情况紧急", required=False)
    reported_on = forms.DateField(label="提供日期", required=False, widget=DateInput())
    party = forms.IntegerField(label="提供人", required=False)
    reported_by = forms.CharField(label="其他提供人", required=False, max_length=64)


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(label="申请理由", max_length=500)


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "批准"), ("refuse", "不批准")])
    reason = forms.CharField(label="审批意见", required=False, max_length=500)


def form_error(form: forms.Form) -> str:
    """The first error of a form, with its field's label, in Chinese."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]
    return "填写有误"
