"""`qinlin person-erase PHONE --reason …`: pseudonymise a person on their request."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from qinlin.core.errors import DomainError
from qinlin.people.models import Person
from qinlin.people.personal_data import person_erase
from qinlin.people.services import normalise_phone

BAD_INPUT = 2


def person_by_phone(phone: str) -> Person:
    person = Person.objects.filter(phone=normalise_phone(phone)).first()
    if person is None:
        raise DomainError(
            _("没有手机号为 %(phone)s 的人员，请核对号码。") % {"phone": phone},
            code="unknown_person",
        )
    return person


class Command(BaseCommand):
    help = _(
        "应本人要求删除一个人的个人信息：姓名改为“已注销用户”、手机号和密码作废、账号停用，"
        "本人写的文字和照片删除；表决票、计票结果和诉求统计保持不变。记入审计日志。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone", help=_("这个人的手机号码"))
        parser.add_argument(
            "--reason", required=True, help=_("删除的理由，例如本人申请的日期和方式")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            person = person_by_phone(options["phone"])
            erased = person_erase(person=person, actor=None, reason=options["reason"])
        except DomainError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(BAD_INPUT) from None
        self.stdout.write(
            _("已删除 %(phone)s 的个人信息，此人现在显示为“%(name)s”。")
            % {"phone": options["phone"], "name": erased.name}
        )
