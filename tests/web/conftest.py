"""Fixtures for the pages: a frozen clock (pages read "today"), a network stub
whose answers each test chooses, and cases filed and moved through the real
services."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from itertools import count

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import application_json, at, person_id
from zhixing.cases.services import cases_file
from zhixing.courts.models import Court, Officer
from zhixing.inquiry.providers import FoundAsset
from zhixing.intake.parsing import parse_application

TODAY = date(2026, 3, 2)
_serials = count(200)


@pytest.fixture
def today(monkeypatch):
    """Freeze the pages' clock at 2026-03-02 15:00 in Shanghai."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: at(2026, 3, 2, 15))
    return TODAY


class Network:
    """A stub inquiry provider: each debtor holds what the test says (nothing
    by default); a `silent` debtor gets no answer yet."""

    name = "stub"

    def __init__(self, assets: dict[str, list[FoundAsset]] | None = None, silent=()):
        self.assets = assets or {}
        self.silent = set(silent)

    def inquire(self, debtors, kinds):
        return {
            d.id_code: None if d.id_code in self.silent else self.assets.get(d.id_code, [])
            for d in debtors
        }


def new_debtor() -> str:
    """A debtor seen in no other case, so triage's open-cases fact stays 1."""
    return person_id(next(_serials) % 1000, birth=date(1985, 1, 1))


def file(court, actor, when, n=1, debtor_ids=(), **kw):
    """File n cases at `when`, each against its own debtor (or the ones given)."""
    applications = []
    debtor_ids = list(debtor_ids) or [new_debtor() for _ in range(n)]
    for debtor_id in debtor_ids:
        body = application_json(debtor_id=debtor_id, **kw)
        application, errors = parse_application(body, today=when.date())
        assert errors == []
        applications.append(application)
    return cases_file(court=court, actor=actor, applications=applications, now=when)


def debtor_of(case) -> str:
    return case.case_parties.get(role="debtor").party.id_code


@pytest.fixture
def other_court(db):
    """A second court with one centre officer, to prove pages stay in their court."""
    court = Court.objects.create(code="鄂0104", name="武汉市汉阳区人民法院（测试二）")
    user = get_user_model().objects.create_user(username="other_centre", password="pw")
    Officer.objects.create(user=user, court=court, role="centre", name="外院干警")
    return court


def officer(username) -> Officer:
    return Officer.objects.select_related("court", "team", "user").get(user__username=username)


@pytest.fixture
def login(client):
    """Sign in as the demo officer with this username; returns the client."""

    def as_(username):
        client.force_login(officer(username).user)
        return client

    return as_


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.links = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.cell = []
        elif tag == "a" and self.cell is not None:
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, after: str = "") -> list[list[str]]:
    """The text of each body row's cells in the first table after `after`."""
    start = html.index(after) if after else 0
    start = html.index("<table", start)
    parser = _Table()
    parser.feed(html[start : html.index("</table>", start)])
    return [row for row in parser.rows if row]


def table_links(html: str, after: str = "") -> list[str]:
    """Every link inside the cells of the first table after `after`."""
    start = html.index(after) if after else 0
    start = html.index("<table", start)
    parser = _Table()
    parser.feed(html[start : html.index("</table>", start)])
    return parser.links


__all__ = [
    "TODAY",
    "Network",
    "at",
    "debtor_of",
    "file",
    "new_debtor",
    "officer",
    "table",
    "table_links",
]
