"""每日提醒: one digest per officer per day (a second run sends nothing), an
e-mail when the officer has an address and something to say, the page at
/digest/, and `zhixing digest --date`."""

from datetime import date

from django.core import mail

from tests.centre.test_pipeline import debtors_with
from tests.web.conftest import at, file, table
from zhixing.centre.services import robot_pass
from zhixing.cli import main
from zhixing.courts.models import Officer
from zhixing.tasks.digest import digest_for, digests_send
from zhixing.tasks.inquiries import field_inquiries_order
from zhixing.tasks.models import Digest

DAY = date(2026, 3, 2)


def scene(court, centre):
    """A case dispatched on 2 February: its notice and leads request are overdue,
    its investigation falls due today; a field inquiry was ordered yesterday."""
    (case,) = file(court, centre, at(2026, 2, 2, 9), debtor_ids=debtors_with(lambda a: not a, 1))
    robot_pass(now=at(2026, 2, 2, 10))
    case.refresh_from_db()
    field_inquiries_order(
        cases=[case], officer=case.handler, place="被执行人住所", due_on=date(2026, 3, 4),
        actor=centre, now=at(2026, 3, 1, 16),
    )
    return case


def test_a_handlers_digest_lists_overdue_due_soon_and_new_tasks(court, centre):
    case = scene(court, centre)
    d = digest_for(case.handler, DAY)
    assert [r.what for r in d.overdue] == ["通知申请执行人提供财产线索", "发送执行通知书、报告财产令"]
    assert [(r.what, r.status) for r in d.due_soon] == [
        ("财产调查完毕", "今日到期"),
        (f"线下查询：{case.case_number}（被执行人住所）", "剩余2天"),
    ]
    assert [t.kind for t in d.new_tasks] == ["field_inquiry"]
    assert d.subject == "每日提醒（2026年3月2日）：逾期2项，3日内到期2项，新待办1项"
    other = Officer.objects.filter(court=court, role="handler").exclude(pk=case.handler_id).first()
    assert digest_for(other, DAY).empty


def test_sending_twice_a_day_stores_and_mails_once(court, centre):
    case = scene(court, centre)
    user = case.handler.user
    user.email = "chen@court.example"
    user.save()
    sent = digests_send(today=DAY, now=at(2026, 3, 2, 7, 30))
    assert len(sent) == Officer.objects.filter(court=court).count()
    assert len(mail.outbox) == 1  # only the handler has an address (and something due)
    assert mail.outbox[0].to == ["chen@court.example"]
    assert mail.outbox[0].subject.startswith("每日提醒（2026年3月2日）：逾期2项")
    assert "财产调查完毕" in mail.outbox[0].body
    assert digests_send(today=DAY, now=at(2026, 3, 2, 8)) == []
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(officer=case.handler).count() == 1
    # The next day is a new digest.
    assert len(digests_send(today=date(2026, 3, 3))) == len(sent)


def test_the_query_count_does_not_grow_with_the_officers(court, centre, django_assert_max_num_queries):
    scene(court, centre)
    assert Officer.objects.count() > 15
    with django_assert_max_num_queries(12):
        digests_send(today=DAY)  # the reads once per court, one bulk insert


def test_the_digest_page_and_the_nav_link(court, centre, login, today):
    case = scene(court, centre)
    client = login(case.handler.user.username)
    body = client.get("/digest/").content.decode()
    assert 'href="/digest/"' in body
    assert [r[1] for r in table(body, 'id="digest-overdue"')] == ["通知申请执行人提供财产线索", "发送执行通知书、报告财产令"]
    assert len(table(body, 'id="digest-new"')) == 1


def test_the_cli_sends_for_a_given_date(court, centre, capsys):
    scene(court, centre)
    assert main(["digest", "--date", "2026-03-02"]) == 0
    n = Officer.objects.count()
    assert capsys.readouterr().out.strip() == f"每日提醒：2026-03-02生成{n}份，发送邮件0封"
    assert main(["digest", "--date", "2026-03-02"]) == 0
    assert capsys.readouterr().out.strip() == "每日提醒：2026-03-02生成0份，发送邮件0封"


def test_the_robot_schedules_the_digest_at_half_past_seven_in_shanghai():
    from datetime import datetime

    from zhixing.robot import daily_digest

    # huey reads its crontab in UTC: 23:30 UTC is 7:30 the next morning in Shanghai.
    task = daily_digest.s()
    assert task.validate_datetime(datetime(2026, 3, 1, 23, 30))
    assert not task.validate_datetime(datetime(2026, 3, 2, 7, 30))
