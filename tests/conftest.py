"""Shared fixtures: the demo court's structure (no history), officers by role,
and logged-in clients. History-heavy tests build their own cases."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROBOT_KICK = False
    settings.AXES_ENABLED = False


@pytest.fixture
def court(db):
    from zhixing.demo.court import demo_court_create

    return demo_court_create(password="pw")


def _officer(username):
    from zhixing.courts.models import Officer

    return Officer.objects.select_related("court", "team", "user").get(user__username=username)


@pytest.fixture
def centre(court):
    return _officer("centre")


@pytest.fixture
def director(court):
    return _officer("director")


@pytest.fixture
def handler(court):
    return _officer("simple1")


@pytest.fixture
def centre_client(client, centre):
    client.force_login(centre.user)
    return client


@pytest.fixture
def api_token(centre):
    from zhixing.courts.services import token_create

    return token_create(username="centre")


def at(y, m, d, hh=10, mm=0) -> datetime:
    """A moment in the court's time zone."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture
def now():
    return at(2026, 3, 2)


# Valid identity codes for tests (check characters computed by rules/identity).
def person_id(serial: int, birth: date = date(1980, 5, 17), area: str = "420105") -> str:
    from zhixing.rules.identity import id_number_check_char

    first17 = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)


def company_code(serial: int) -> str:
    from zhixing.rules.identity import credit_code_check_char

    first17 = f"91420105{serial:09d}"
    return first17 + credit_code_check_char(first17)


def application_json(*, debtor_id=None, amount="123456.78", n_debtors=1, type_="执", **over):
    """A valid API body, as another court system would send it."""
    body = {
        "type": type_,
        "title": {"number": "（2026）鄂0105民初123号", "kind": "民事判决书", "effective_on": "2026-01-05", "due_on": "2026-01-15"},
        "creditors": [{"kind": "company", "name": "武汉某某建材有限公司", "credit_code": company_code(1)}],
        "debtors": [
            {"kind": "person", "name": f"被执行人{i}", "id_number": debtor_id if (debtor_id and i == 0) else person_id(100 + i),
             "phone": "13800000000", "address": "武汉市汉阳区"}
            for i in range(n_debtors)
        ],
        "amount_claimed": amount,
    }
    body.update(over)
    return body
