"""Outbound notices: written inside the change that causes them, sent after it commits.

A notice is a row (`Notice`) created in the same transaction as the change, so a rollback takes
it away and a commit keeps it. After the commit each new notice is handed to its channel —
Django's e-mail backend, or the SMS/WeChat webhook of `lifecircle.ops.sms` — and a failure is
recorded on the row and retried later (`deliver_pending`), never raised into the change that
caused it. Links in e-mails start with the setting ``LIFECIRCLE_SITE_URL``. Each user chooses the channels (`Preference`); a resident without an account is told
by SMS at the phone number given with the request.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from lifecircle.ops.access import Actor
from lifecircle.ops.errors import Invalid
from lifecircle.ops.otp import normalise_phone
from lifecircle.ops.sms import send_sms
from lifecircle.store.notify.models import Notice, Preference

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=2)


def preference_of(user) -> Preference:
    """The user's preference (e-mail on, SMS off until a phone is given)."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user)


def set_preference(actor: Actor, *, by_email: bool, by_sms: bool, phone: str = "") -> Preference:
    """The caller sets their own channels; SMS needs a valid mobile number."""
    if actor.user is None:
        raise Invalid("user: 请先登录 sign in first", field="user")
    phone = phone.strip()
    if by_sms or phone:
        phone = normalise_phone(phone)
    with transaction.atomic():
        pref, _ = Preference.objects.update_or_create(
            user=actor.user, defaults={"by_email": by_email, "by_sms": by_sms, "phone": phone}
        )
    return pref


def notify_users(users: Iterable, kind: str, subject: str, text: str, link: str = "") -> list:
    """Queue a notice to each user by their chosen channels; sent once the transaction commits.

    Example
    -------
    >>> notify_users([worker], "request.assigned", "新派单", "#12 已派给您")  # doctest: +SKIP
    """
    notices = []
    active = {u.pk: u for u in users if u is not None and u.is_active}
    chosen = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(active))}
    for pk, user in active.items():
        pref = chosen.get(pk) or Preference(user=user)
        if pref.by_email and user.email:
            notices.append(Notice(user=user, channel=Notice.Channel.EMAIL, address=user.email))
        if pref.by_sms and pref.phone:
            notices.append(Notice(user=user, channel=Notice.Channel.SMS, address=pref.phone))
    for notice in notices:
        notice.kind, notice.subject, notice.text, notice.link = kind, subject, text, link
    return _queue(notices)


def notify_phone(phone: str, kind: str, text: str) -> list:
    """Queue an SMS to a resident who filed without an account (ignored when no valid phone)."""
    try:
        phone = normalise_phone(phone)
    except Invalid:
        return []
    return _queue(
        [Notice(channel=Notice.Channel.SMS, address=phone, kind=kind, subject=kind, text=text)]
    )


def _queue(notices: list) -> list:
    if not notices:
        return []
    created = Notice.objects.bulk_create(notices)
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: deliver(ids))
    return created


def _send(notice: Notice) -> None:
    if notice.channel == Notice.Channel.EMAIL:
        site = getattr(settings, "LIFECIRCLE_SITE_URL", "")
        body = notice.text + (f"\n\n{site}{notice.link}" if notice.link else "")
        send_mail(
            notice.subject,
            body,
            getattr(settings, "DEFAULT_FROM_EMAIL", None),
            [notice.address],
            fail_silently=False,
        )
    else:
        send_sms(notice.address, notice.text)


def deliver(ids: Iterable[int]) -> int:
    """Try to send these pending notices now; returns how many went out. Never raises."""
    sent = 0
    for notice in Notice.objects.filter(pk__in=list(ids), state=Notice.State.PENDING):
        notice.attempts += 1
        try:
            _send(notice)
        except Exception as exc:  # any channel failure is kept on the row for the retry
            log.warning("通知发送失败 notice %s failed: %s", notice.pk, exc)
            notice.last_error = str(exc)[:300]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.state = Notice.State.FAILED
        else:
            notice.state, notice.sent_at, notice.last_error = Notice.State.SENT, timezone.now(), ""
            sent += 1
        notice.save(update_fields=["attempts", "last_error", "state", "sent_at"])
    return sent


def deliver_pending(now=None) -> int:
    """Retry every pending notice whose last try is old enough (run from a timer or cron).

    Example
    -------
    >>> deliver_pending()  # doctest: +SKIP
    0
    """
    now = now or timezone.now()
    due = Notice.objects.filter(state=Notice.State.PENDING, created_at__lte=now - RETRY_AFTER)
    fresh = Notice.objects.filter(state=Notice.State.PENDING, attempts=0)
    return deliver(set(due.values_list("pk", flat=True)) | set(fresh.values_list("pk", flat=True)))
