"""Outbound SMS through a pluggable backend (console in the demo, a webhook in production).

The backend is named by the setting ``LIFECIRCLE_SMS_BACKEND`` (a dotted path); the webhook
backend posts JSON ``{"phone": …, "text": …}`` to ``LIFECIRCLE_SMS_WEBHOOK_URL``, which a
gateway on the intranet (运营商短信网关, 政务微信) turns into a message.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class SendFailed(Exception):
    """The backend could not hand the message over; the caller decides whether to retry."""


@dataclass(frozen=True)
class SentSMS:
    phone: str
    text: str


class ConsoleSMSBackend:
    """Prints each message to the log and keeps it in ``outbox`` (demo and tests)."""

    outbox: list[SentSMS] = []

    def send(self, phone: str, text: str) -> None:
        ConsoleSMSBackend.outbox.append(SentSMS(phone, text))
        log.warning("短信 SMS to %s: %s", phone, text)


class WebhookSMSBackend:
    """Posts the message as JSON to the gateway URL in ``LIFECIRCLE_SMS_WEBHOOK_URL``."""

    def send(self, phone: str, text: str) -> None:
        url = getattr(settings, "LIFECIRCLE_SMS_WEBHOOK_URL", "")
        if not url:
            raise SendFailed("未配置短信网关 LIFECIRCLE_SMS_WEBHOOK_URL is not set")
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                if answer.status >= 300:
                    raise SendFailed(f"短信网关返回 gateway answered {answer.status}")
        except OSError as error:
            raise SendFailed(f"短信网关不可达 gateway unreachable: {error}") from error


def backend() -> SMSBackend:
    """The configured backend (``LIFECIRCLE_SMS_BACKEND``; console by default)."""
    path = getattr(settings, "LIFECIRCLE_SMS_BACKEND", "lifecircle.ops.sms.ConsoleSMSBackend")
    return import_string(path)()


def send_sms(phone: str, text: str) -> None:
    """Send one message through the configured backend.

    Example
    -------
    >>> send_sms("13800000000", "验证码 123456")  # doctest: +SKIP
    """
    backend().send(phone, text)
