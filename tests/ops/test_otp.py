"""One-time codes by SMS: one use, expiry, tries, and nothing stored in the clear."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from lifecircle.ops import otp
from lifecircle.ops.errors import Invalid
from lifecircle.ops.sms import ConsoleSMSBackend, SendFailed, WebhookSMSBackend
from lifecircle.store.notify.models import OneTimeCode

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _empty_outbox():
    ConsoleSMSBackend.outbox.clear()


def _sent_code() -> str:
    return re.search(r"(\d{6})", ConsoleSMSBackend.outbox[-1].text).group(1)


def test_code_is_sent_and_works_once():
    otp.issue_code(PHONE, "survey")
    assert ConsoleSMSBackend.outbox[-1].phone == PHONE
    code = _sent_code()
    assert otp.verify_code(PHONE, "survey", code)
    assert not otp.verify_code(PHONE, "survey", code)


def test_nothing_in_the_clear():
    otp.issue_code(PHONE, "survey")
    code = _sent_code()
    row = OneTimeCode.objects.get()
    assert PHONE not in row.phone_hash and code not in row.code_hash


def test_wrong_purpose_or_phone_fails():
    otp.issue_code(PHONE, "survey")
    code = _sent_code()
    assert not otp.verify_code(PHONE, "request", code)
    assert not otp.verify_code("13912345678", "survey", code)


def test_expired_code_fails():
    otp.issue_code(PHONE, "survey")
    code = _sent_code()
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not otp.verify_code(PHONE, "survey", code)


def test_five_wrong_tries_lock_the_code():
    otp.issue_code(PHONE, "survey")
    code = _sent_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(otp.MAX_ATTEMPTS):
        assert not otp.verify_code(PHONE, "survey", wrong)
    assert not otp.verify_code(PHONE, "survey", code)


def test_resend_within_a_minute_is_refused_and_new_code_replaces_old():
    otp.issue_code(PHONE, "survey")
    first = _sent_code()
    with pytest.raises(Invalid):
        otp.issue_code(PHONE, "survey")
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    otp.issue_code(PHONE, "survey")
    second = _sent_code()
    if first != second:
        assert not otp.verify_code(PHONE, "survey", first)
    assert otp.verify_code(PHONE, "survey", second)


@pytest.mark.parametrize("bad", ["", "12345", "23812345678", "1381234567x"])
def test_malformed_phone_is_refused(bad):
    with pytest.raises(Invalid):
        otp.issue_code(bad, "survey")
    assert OneTimeCode.objects.count() == 0


def test_phone_formats_are_one_key():
    assert otp.phone_key("+86 138-1234-5678") == otp.phone_key(PHONE)


@override_settings(LIFECIRCLE_SMS_WEBHOOK_URL="")
def test_webhook_without_url_fails_clearly():
    with pytest.raises(SendFailed, match="LIFECIRCLE_SMS_WEBHOOK_URL"):
        WebhookSMSBackend().send(PHONE, "x")
