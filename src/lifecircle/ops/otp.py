"""One-time codes: prove a phone number by SMS without an account.

A code is six digits, valid ten minutes, good for one use and five tries; a new code for the
same phone and purpose replaces the old one. Codes and phones are stored only as HMACs.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifecircle.ops.errors import Invalid
from lifecircle.ops.sms import send_sms
from lifecircle.store.notify.models import OneTimeCode

VALID_FOR = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
PHONE = re.compile(r"^1[3-9]\d{9}$")


def _digest(*parts: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def normalise_phone(phone: str) -> str:
    """A mainland mobile number as 11 digits; raises `Invalid` otherwise."""
    digits = re.sub(r"[\s-]", "", phone or "").removeprefix("+86")
    if not PHONE.match(digits):
        raise Invalid("手机号应为11位数字 A mobile number has 11 digits", field="phone")
    return digits


def phone_key(phone: str) -> str:
    """The stored stand-in for a phone number (HMAC), e.g. to count one answer per phone."""
    return _digest("phone", normalise_phone(phone))


def issue_code(phone: str, purpose: str) -> None:
    """Create a code for this phone and purpose and send it by SMS.

    Raises `Invalid` for a malformed number or when a code was sent less than a minute ago.

    Example
    -------
    >>> issue_code("13800000000", "survey")  # doctest: +SKIP
    """
    phone = normalise_phone(phone)
    key = phone_key(phone)
    now = timezone.now()
    with transaction.atomic():
        last = OneTimeCode.objects.filter(phone_hash=key, purpose=purpose).first()
        if last and now - last.created_at < RESEND_AFTER:
            raise Invalid(
                "验证码已发送，请稍后再试 A code was just sent; try again in a minute", "phone"
            )
        code = f"{secrets.randbelow(10**6):06d}"
        OneTimeCode.objects.filter(phone_hash=key, purpose=purpose, used_at=None).update(
            used_at=now
        )
        OneTimeCode.objects.create(
            phone_hash=key,
            purpose=purpose,
            code_hash=_digest("code", key, purpose, code),
            expires_at=now + VALID_FOR,
        )
    send_sms(
        phone, f"您的验证码为 {code}，10分钟内有效。Your code is {code}, valid for 10 minutes."
    )


def verify_code(phone: str, purpose: str, code: str) -> bool:
    """True once for the latest unexpired code of this phone and purpose; counts failed tries.

    Example
    -------
    >>> verify_code("13800000000", "survey", "123456")  # doctest: +SKIP
    False
    """
    key = phone_key(phone)
    now = timezone.now()
    with transaction.atomic():
        entry = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=key, purpose=purpose, used_at=None, expires_at__gt=now)
            .first()
        )
        if entry is None or entry.attempts >= MAX_ATTEMPTS:
            return False
        if not hmac.compare_digest(entry.code_hash, _digest("code", key, purpose, code.strip())):
            entry.attempts += 1
            entry.save(update_fields=["attempts"])
            return False
        entry.used_at = now
        entry.save(update_fields=["used_at"])
        return True
