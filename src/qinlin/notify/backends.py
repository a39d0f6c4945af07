"""How a message leaves: email, SMS, and the group robots of WeCom, DingTalk and Feishu or
any JSON webhook. In-app messages need no backend: writing the row delivers them.

Every backend raises DeliveryError when the message was not accepted; the worker retries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from qinlin.notify.kinds import Channel
from qinlin.notify.models import Notification, Platform


class DeliveryError(Exception):
    """The message was not accepted. `maybe_delivered`: the request left but no answer came
    back, so the receiver may have it; only a receiver that drops repeats may get it again."""

    def __init__(self, message: str, *, maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


def absolute(link: str) -> str:
    return settings.QINLIN_BASE_URL.rstrip("/") + link if link.startswith("/") else link


def plain_text(notification: Notification) -> str:
    parts = [notification.subject, notification.body, absolute(notification.link)]
    return "\n".join(p for p in parts if p)


def send(notification: Notification) -> None:
    if notification.channel == Channel.EMAIL:
        send_email(notification)
    elif notification.channel == Channel.SMS:
        send_sms(notification)
    elif notification.channel == Channel.ROBOT:
        send_robot(notification)
    else:
        raise DeliveryError(f"no backend for channel {notification.channel}")


def resend_is_safe(notification: Notification) -> bool:
    """Whether a message whose fate is unknown may go again: only to a receiver that drops a
    repeated Idempotency-Key (the generic webhook, as documented for integrators)."""
    return notification.channel == Channel.ROBOT and (
        notification.robot is not None and notification.robot.platform == Platform.WEBHOOK
    )


def send_email(notification: Notification) -> None:
    message = EmailMessage(
        subject=notification.subject,
        body=plain_text(notification),
        to=[notification.address],
        headers={"Message-ID": f"<{notification.uid}@{settings.QINLIN_EMAIL_DOMAIN}>"},
    )
    try:
        message.send()
    except OSError as error:
        raise DeliveryError(f"email: {error}") from error


def send_sms(notification: Notification) -> None:
    sms_send(phone=notification.address, text=plain_text(notification), out_id=notification.uid)


def sms_send(*, phone: str, text: str, out_id: str) -> None:
    """One text message through the configured gateway. The outbox sends through this, and
    so do messages that must not wait in it (a password-reset code: people.services)."""
    text = f"【{settings.QINLIN_SMS_SIGNATURE}】{text}"
    if settings.QINLIN_SMS_BACKEND == "console":
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()
        return
    # The HTTP gateway adapter: docs/notifications.md describes the request a gateway gets.
    post_json(
        settings.QINLIN_SMS_URL,
        {"phone": phone, "text": text, "out_id": out_id},
        headers={"Authorization": f"Bearer {settings.QINLIN_SMS_TOKEN}"},
    )


def robot_url_allowed(url: str) -> bool:
    return any(url.startswith(prefix) for prefix in settings.QINLIN_ROBOT_URL_PREFIXES)


def send_robot(notification: Notification) -> None:
    robot = notification.robot
    if robot is None:
        raise DeliveryError("the robot was removed")
    if not robot_url_allowed(robot.url):
        raise DeliveryError("the robot's address is not in QINLIN_ROBOT_URL_PREFIXES")
    text = plain_text(notification)
    url = robot.url
    headers: dict[str, str] = {}
    payload: dict[str, Any]
    if robot.platform == Platform.WECOM:
        payload = {"msgtype": "text", "text": {"content": text}}
    elif robot.platform == Platform.DINGTALK:
        payload = {"msgtype": "text", "text": {"content": text}}
        if robot.secret:
            timestamp = str(int(time.time() * 1000))
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(
                {"timestamp": timestamp, "sign": dingtalk_sign(timestamp, robot.secret)}
            )
    elif robot.platform == Platform.FEISHU:
        payload = {"msg_type": "text", "content": {"text": text}}
        if robot.secret:
            timestamp = str(int(time.time()))
            payload |= {"timestamp": timestamp, "sign": feishu_sign(timestamp, robot.secret)}
    else:
        payload = {
            "id": notification.uid,
            "event": notification.event_key,
            "kind": notification.kind,
            "subject": notification.subject,
            "body": notification.body,
            "link": absolute(notification.link),
            "text": text,
        }
        headers["Idempotency-Key"] = notification.uid
        if robot.secret:
            body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
            digest = hmac.new(robot.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Qinlin-Signature"] = f"sha256={digest}"
    answer = post_json(url, payload, headers=headers)
    # The chat platforms answer 200 with an error code in the body when they refuse.
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, None):
        raise DeliveryError(f"{robot.get_platform_display()}: {code} {answer.get('errmsg', '')}")


def dingtalk_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def feishu_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def post_json(url: str, payload: dict[str, Any], *, headers: dict[str, str]) -> dict[str, Any]:
    """POST JSON (sorted keys, so a signature over it can be checked); the parsed answer."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked below
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
    )
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("only http and https addresses are posted to")
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.QINLIN_NOTIFY_TIMEOUT
        ) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from error
    except urllib.error.URLError as error:
        # urllib wraps what fails while connecting and sending: nothing was received.
        raise DeliveryError(str(error.reason)) from error
    except (OSError, http.client.HTTPException) as error:
        # Failing after the request was sent (waiting for or reading the answer).
        raise DeliveryError(
            f"no answer: {type(error).__name__} {error}".strip(), maybe_delivered=True
        ) from error
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
