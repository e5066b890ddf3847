"""The case page's 办理阶段 and hand-off panel, for the includes
templates/centre/_segments.html and _handoff.html: each tag calls one
selector, so the case page needs only its one include line per block."""

from django import template
from django.utils import timezone

from zhixing.centre.segments import case_segments
from zhixing.centre.selectors import handoff_panel

register = template.Library()


@register.simple_tag
def segments_of(case):
    return case_segments(case=case, today=timezone.localdate())


@register.simple_tag
def handoff_panel_for(case, officer):
    return handoff_panel(officer=officer, case=case, today=timezone.localdate())
