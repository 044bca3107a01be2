"""Outbound notices through a real local SMTP server (aiosmtpd): sent after the change commits,
by each user's chosen channels; a failing send keeps the change and the notice, and a later
retry delivers it."""

import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.utils import timezone
from ops_helpers import file_request

from lifecircle.ops import notices
from lifecircle.ops.access import Actor
from lifecircle.ops.sms import ConsoleSMSBackend
from lifecircle.store.notify.models import Notice, Preference
from lifecircle.store.requests.models import ServiceRequest


class Inbox(Message):
    """Keeps every message the server accepts."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.DEFAULT_FROM_EMAIL = "station@example.org"
    server.inbox = inbox
    yield server
    server.stop()


@pytest.fixture
def addressed(demo):
    for name in ("wuye1", "juwei1", "jumin1"):
        user = demo.users[name]
        user.email = f"{name}@example.org"
        user.save()
    return demo


def assign_to_wuye1(as_user, demo, capture) -> int:
    staff = as_user("juwei1")
    rid = file_request(staff, demo.stations[0].pk)["id"]
    with capture(execute=True):
        r = staff.post(
            f"/api/requests/{rid}/assign",
            {"version": 1, "party": "property", "assignee_id": demo.users["wuye1"].pk},
            content_type="application/json",
        )
    assert r.status_code == 200, r.content
    return rid


def test_assignment_is_mailed_to_the_assignee_after_commit(
    smtp, addressed, as_user, django_capture_on_commit_callbacks
):
    rid = assign_to_wuye1(as_user, addressed, django_capture_on_commit_callbacks)
    mail = [m for m in smtp.inbox.messages if m["To"] == "wuye1@example.org"]
    assert len(mail) == 1
    assert str(make_header(decode_header(mail[0]["Subject"]))) == f"新派单 New assignment #{rid}"
    assert f"/requests/{rid}/" in mail[0].get_payload(decode=True).decode()
    notice = Notice.objects.get(user=addressed.users["wuye1"], kind="request.assigned")
    assert notice.state == Notice.State.SENT and notice.attempts == 1


def test_a_failing_send_keeps_the_write_and_a_retry_delivers(
    smtp, addressed, as_user, settings, django_capture_on_commit_callbacks
):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the send fails
    rid = assign_to_wuye1(as_user, addressed, django_capture_on_commit_callbacks)
    req = ServiceRequest.objects.get(pk=rid)
    assert req.status == "assigned" and req.assignee == addressed.users["wuye1"]  # write kept
    notice = Notice.objects.get(user=addressed.users["wuye1"], kind="request.assigned")
    assert notice.state == Notice.State.PENDING and notice.attempts == 1 and notice.last_error
    assert smtp.inbox.messages == []

    settings.EMAIL_PORT = real_port  # the mail server is back
    notices.deliver_pending(now=timezone.now())  # too early to retry: nothing sent to wuye1
    notice.refresh_from_db()
    assert notice.state == Notice.State.PENDING and notice.attempts == 1
    notices.deliver_pending(now=timezone.now() + notices.RETRY_AFTER)
    notice.refresh_from_db()
    assert notice.state == Notice.State.SENT and notice.last_error == "" and notice.attempts == 2
    assert "wuye1@example.org" in [m["To"] for m in smtp.inbox.messages]


def test_a_rolled_back_change_sends_nothing(smtp, addressed, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notices.notify_users([addressed.users["wuye1"]], "test", "s", "t")
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert callbacks == [] and Notice.objects.count() == 0 and smtp.inbox.messages == []


def test_each_user_chooses_channels(smtp, addressed, as_user, django_capture_on_commit_callbacks):
    ConsoleSMSBackend.outbox.clear()
    wuye = addressed.users["wuye1"]
    notices.set_preference(Actor(wuye), by_email=False, by_sms=True, phone="13900001111")
    assign_to_wuye1(as_user, addressed, django_capture_on_commit_callbacks)
    assert [m["To"] for m in smtp.inbox.messages if m["To"] == "wuye1@example.org"] == []
    assert [s.phone for s in ConsoleSMSBackend.outbox] == ["13900001111"]
    assert Preference.objects.get(user=wuye).by_sms


def test_a_bad_phone_in_preferences_is_refused(addressed):
    from lifecircle.ops.errors import Invalid

    with pytest.raises(Invalid) as error:
        notices.set_preference(
            Actor(addressed.users["wuye1"]), by_email=True, by_sms=True, phone="12"
        )
    assert error.value.field == "phone"
    assert Preference.objects.count() == 0


def test_after_rating_time_the_resident_is_told(
    smtp, addressed, as_user, django_capture_on_commit_callbacks
):
    rid = file_request(as_user("jumin1"), addressed.stations[0].pk, channel="resident")["id"]
    staff = as_user("juwei1")
    with django_capture_on_commit_callbacks(execute=True):
        for step, body in (
            ("assign", {"version": 1, "party": "committee"}),
            ("start", {"version": 2}),
            ("resolve", {"version": 3, "resolution": "已答复"}),
        ):
            r = staff.post(f"/api/requests/{rid}/{step}", body, content_type="application/json")
            assert r.status_code == 200, r.content
    to_resident = [m for m in smtp.inbox.messages if m["To"] == "jumin1@example.org"]
    assert len(to_resident) == 3
    assert "请评价" in to_resident[-1].get_payload(decode=True).decode()


def test_a_notice_is_given_up_after_the_last_attempt(addressed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    notice = Notice.objects.create(
        user=addressed.users["wuye1"],
        channel="email",
        address="wuye1@example.org",
        kind="test",
        subject="s",
        text="t",
    )
    for _ in range(notices.MAX_ATTEMPTS):
        notices.deliver([notice.pk])
    notice.refresh_from_db()
    assert notice.state == Notice.State.FAILED and notice.attempts == notices.MAX_ATTEMPTS
    assert notices.deliver([notice.pk]) == 0  # never tried again
