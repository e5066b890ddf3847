"""{% case_panel case as p %}: the case page's tasks section reads its own data,
so the case page needs one include line and no change to its view."""

from django import template
from django.utils import timezone

from zhixing.tasks.selectors import case_panel as _case_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panel(context, case):
    return _case_panel(case=case, officer=context.get("officer"), today=timezone.localdate())


@register.inclusion_tag("tasks/_due_badge.html")
def due_badge(due_on, done, today):
    """The same badge as the milestones: 已完成 / 逾期N天 / 今日到期 / 剩余N天."""
    from zhixing.web.selectors import due_status

    return {"s": due_status(due_on, today if done else None, today)}
