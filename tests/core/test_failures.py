"""When the server fails, people get a finished page saying what happened and what to do: 503
while the database cannot be reached, 500 otherwise; the API answers in JSON."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from qinlin.core.failures import server_error


def _failing(error: Exception, path: str = "/topics/", language: str = "zh-hans") -> HttpResponse:
    """What Django's handler500 answers for `error` escaping a view at `path`."""
    with translation.override(language):
        try:
            raise error
        except Exception:  # handler500 runs inside the except, as in Django
            return server_error(RequestFactory().get(path))


def test_an_unreachable_database_gets_a_503_page_that_says_to_retry() -> None:
    response = _failing(OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "服务暂时无法使用" in page
    assert "您刚才的操作没有保存" in page
    assert "请稍等一两分钟后重试" in page


def test_the_503_page_is_translated() -> None:
    page = _failing(OperationalError("server closed the connection"), language="en")
    assert "temporarily unavailable" in page.content.decode()
    assert 'lang="en"' in page.content.decode()


def test_any_other_failure_gets_a_500_page_and_no_retry_hint() -> None:
    response = _failing(IntegrityError("duplicate key"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert "服务器出错了" in response.content.decode()


@pytest.mark.parametrize(("error", "status"), [(OperationalError(), 503), (ValueError(), 500)])
def test_the_api_answers_a_failure_in_json(error: Exception, status: int) -> None:
    response = _failing(error, path="/api/v1/topics")
    assert response.status_code == status
    body = json.loads(response.content)
    assert body["code"] == ("unavailable" if status == 503 else "server_error")


def test_django_uses_the_handler_for_uncaught_errors() -> None:
    from qinlin import urls

    assert urls.handler500 == "qinlin.core.failures.server_error"
