"""`qinlin api-token issue|list|revoke`: tokens for integrations such as a hotline system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinlin.api.models import ApiToken
from qinlin.api.services import api_token_issue, api_token_revoke
from qinlin.core.errors import DomainError
from qinlin.people.models import Person
from qinlin.people.services import normalise_phone


class Command(BaseCommand):
    help = "管理接口令牌 / Manage API tokens: issue, list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="为某人签发令牌，令牌以此人的角色访问接口")
        issue.add_argument("--phone", required=True, help="令牌所属人员的手机号")
        issue.add_argument("--name", required=True, help="用途，例如“12345 热线”")
        sub.add_parser("list", help="列出令牌（不显示令牌本身）")
        revoke = sub.add_parser("revoke", help="撤销令牌")
        revoke.add_argument("id", type=int, help="令牌编号（见 list）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "issue":
            self._issue(options["phone"], options["name"])
        elif action == "list":
            self._list()
        else:
            self._revoke(options["id"])

    def _issue(self, phone: str, name: str) -> None:
        person = Person.objects.filter(phone=normalise_phone(phone)).first()
        if person is None:
            raise CommandError(f"没有手机号为 {phone} 的人员。", returncode=2)
        try:
            token, key = api_token_issue(actor=None, person=person, name=name)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(f"令牌 #{token.pk}（{token.name}，{person.name}）：")
        self.stdout.write(key)
        self.stdout.write("请立即保存：系统只保存令牌的摘要，不能再次显示。")

    def _list(self) -> None:
        for token in ApiToken.objects.select_related("person").order_by("id"):
            state = "已撤销" if token.revoked_at else "有效"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "—"
            self.stdout.write(
                f"#{token.pk}\t{token.prefix}…\t{token.name}\t{token.person.name}\t{state}\t{used}"
            )

    def _revoke(self, token_id: int) -> None:
        token = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).first()
        if token is None:
            raise CommandError(f"没有编号为 {token_id} 的有效令牌。", returncode=2)
        api_token_revoke(actor=None, token=token)
        self.stdout.write(f"已撤销令牌 #{token.pk}。")
