"""Filters and the home card's counts for the money-out pages."""

from django import template
from django.utils import timezone

from zhixing.courts.models import Officer
from zhixing.rules.money import format_yuan

register = template.Library()
_ROLES = dict(Officer.Role.choices)


@register.filter
def yuan(fen) -> str:
    return format_yuan(fen) if isinstance(fen, int) else ""


@register.filter
def role_label(role: str) -> str:
    return _ROLES.get(role, role)


@register.simple_tag
def payout_counts(officer):
    from zhixing.funds.payout_views import payout_counts as counts

    return counts(officer, timezone.localdate()) if officer is not None else {}
