"""Who reaches which page: sign-in first, the home page by role, and nothing
of another court."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.web.conftest import at, file

PAGES = ["home", "board", "workbench", "case_list", "dashboard"]


@pytest.mark.parametrize("name", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_the_case_page_and_the_charts_also_need_a_sign_in(client, db):
    for url in ("/cases/1/", "/dashboard/chart/monthly.svg"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    "username, target",
    [
        ("centre", "/board/"),
        ("director", "/dashboard/"),
        ("simple1", "/workbench/"),
        ("simple5", "/workbench/"),
        ("one_shot3", "/workbench/"),
        ("finance", "/workbench/"),
    ],
)
def test_home_sends_each_role_to_its_page(court, login, username, target):
    response = login(username).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_a_user_who_is_no_officer_is_refused(client, court):
    user = get_user_model().objects.create_user(username="admin", password="pw")
    client.force_login(user)
    response = client.get("/board/")
    assert response.status_code == 403
    assert "该账号未关联法院干警" in response.content.decode()


def test_a_case_of_another_court_is_as_missing_as_a_case_that_does_not_exist(
    court, centre, other_court, login, today
):
    from tests.web.conftest import officer

    (ours,) = file(court, centre, at(2026, 3, 2, 9))
    (theirs,) = file(other_court, officer("other_centre"), at(2026, 3, 2, 9))
    client = login("centre")
    assert client.get(f"/cases/{ours.id}/").status_code == 200
    forbidden = client.get(f"/cases/{theirs.id}/")
    missing = client.get("/cases/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content


def test_lists_show_only_the_officers_own_court(court, centre, other_court, login, today):
    from tests.web.conftest import officer

    (_ours,) = file(court, centre, at(2026, 3, 2, 9))
    (_theirs,) = file(other_court, officer("other_centre"), at(2026, 3, 2, 9))
    body = login("centre").get("/cases/").content.decode()
    assert "（2026）鄂0105执1号" in body
    assert "鄂0104" not in body
    body = login("centre").get("/board/").content.decode()
    assert "（2026）鄂0105执1号" in body
    assert "鄂0104" not in body
