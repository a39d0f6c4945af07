"""When the server fails, people get a finished page saying what happened and what to do: 503
while the database cannot be reached, 500 otherwise; the API answers in JSON."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory
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


def test_django_uses_the_handlers_for_refused_requests_and_uncaught_errors() -> None:
    from qinlin import urls

    assert urls.handler400 == "qinlin.core.failures.bad_request"
    assert urls.handler500 == "qinlin.core.failures.server_error"


@pytest.mark.parametrize("status", [503, 500])
def test_the_api_failure_has_the_form_of_every_documented_error(status: int) -> None:
    error = OperationalError() if status == 503 else ValueError()
    body = json.loads(_failing(error, path="/api/v1/topics").content)
    assert set(body) == {"code", "message", "field"}
    assert "您刚才的操作没有保存" in body["message"]


def test_a_host_the_site_does_not_serve_gets_the_bad_request_page(client: Client) -> None:
    response = client.get("/", HTTP_HOST="8L")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()
    assert "没有保存任何内容" in response.content.decode()


def test_the_api_answers_a_refused_host_in_its_documented_error_form(client: Client) -> None:
    """Found by the fuzzer: a generated `Host: 8L` header got Django's HTML 400 from
    /api/v1/topics/{uid}/advance, whose 400 is documented as JSON."""
    response = client.post("/api/v1/topics/x/advance", {}, HTTP_HOST="8L")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "bad_request"


def test_the_bad_request_page_is_translated(client: Client) -> None:
    response = client.get("/", HTTP_HOST="8L", HTTP_ACCEPT_LANGUAGE="en")
    assert "Bad request" in response.content.decode()
