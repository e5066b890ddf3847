"""{% money_in_counts as mi %}: the funds home page's 到账与认领 card reads its
own counts, so the card needs no change to the home page's view."""

from django import template
from django.utils import timezone

from zhixing.funds.statement_selectors import money_in_counts as _money_in_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def money_in_counts(context):
    officer = context.get("officer")
    if officer is None:
        return None
    return _money_in_counts(court_id=officer.court_id, today=timezone.localdate())


@register.filter
def fen_yuan(fen):
    """Fen as yuan for the page: 123456 → 1,234.56."""
    from zhixing.rules.money import format_yuan

    return "" if fen is None else format_yuan(fen)
