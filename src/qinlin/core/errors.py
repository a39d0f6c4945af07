"""Domain errors: services raise them, one handler per interface turns them into 4xx answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.forms import Form


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed.

    `code` is stable (for API clients and tests); `message` is translatable and says what to
    fix; `field` names the input the message is about, when there is one.
    """

    code = "domain_error"
    status = 400

    def __init__(self, message: str | Promise, *, code: str | None = None, field: str = "") -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)

    def add_to(self, form: Form) -> None:
        """Show the refusal on a re-rendered form: beside the field it names, else above it."""
        form.add_error(self.field if self.field in form.fields else None, str(self))


class ForbiddenError(DomainError):
    code = "permission_denied"
    status = 403

    def __init__(
        self, message: str | Promise | None = None, *, code: str | None = None, field: str = ""
    ) -> None:
        # Most refusals say the same thing; lazy, so it is said in the reader's language.
        super().__init__(message or _("您没有权限进行此操作。"), code=code, field=field)


class NotFoundError(DomainError):
    code = "not_found"
    status = 404


class ConflictError(DomainError):
    code = "conflict"
    status = 409
