"""check_connection against the fake Gemini: one real request, one plain sentence, no key."""

import asyncio
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import GEMINI_SHAPED_KEY, TEST_KEY
from fake_gemini import bad_key, quota, text

from app.assistant.connection_check import ConnectionReport, check_connection

MODEL = "gemini-2.5-flash"


def check(base_url: str, key: str = TEST_KEY, model: str = MODEL) -> ConnectionReport:
    return asyncio.run(check_connection(base_url, model, key))


def test_a_working_connection_reports_the_model_answered(gemini):
    gemini.enqueue(text("OK"))

    report = check(gemini.base_url)

    assert report == ConnectionReport(True, f"Connected: {MODEL} answered.")
    assert gemini.requests[0]["model"] == MODEL
    assert gemini.requests[0].get("stream") in (None, False)  # one small, non-streamed request
    assert gemini.headers[0]["authorization"] == f"Bearer {TEST_KEY}"
    assert gemini.paths == ["POST /v1beta/openai/chat/completions"]  # and no retries


def test_a_bad_key_is_named_as_such(gemini):
    gemini.enqueue(bad_key())

    report = check(gemini.base_url)

    assert not report.ok
    assert report.message.startswith("The API key was rejected")


def test_quota_says_when_to_try_again(gemini):
    gemini.enqueue(quota("30s"))

    report = check(gemini.base_url)

    assert (report.ok, report.message) == (
        False, "Gemini's quota or rate limit for this key is used up for now. Try again in 30 s.")


def test_an_unknown_endpoint_path_gives_the_not_found_sentence(gemini):
    wrong = gemini.base_url.replace("/v1beta/openai/", "/v1/wrong/")

    report = check(wrong)

    assert not report.ok
    assert report.message == (f"The model {MODEL} was not found at 127.0.0.1: check the model "
                              "name and base URL in Settings.")


def test_an_unreachable_server_is_reported_as_offline():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    report = check(f"http://127.0.0.1:{port}/v1beta/openai/")

    assert not report.ok
    assert report.message.startswith("Could not reach 127.0.0.1")


def test_a_server_that_is_not_an_api_is_named_as_a_base_url_problem():
    class WebPage(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html>Welcome</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), WebPage)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    try:
        report = check(f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()

    assert not report.ok
    assert "check the base URL" in report.message


def test_no_key_says_how_to_add_one_without_a_request(gemini):
    report = check(gemini.base_url, key="  ")

    assert not report.ok and report.message.startswith("No Gemini API key is set")
    assert gemini.requests == []


@pytest.mark.parametrize(("base_url", "model", "sentence"), [
    ("ftp://example.com/", MODEL, "The base URL must start with http:// or https://"),
    ("http://127.0.0.1:9/", "gemini 2.5", "The model name must not contain spaces"),
])
def test_values_the_settings_would_refuse_are_refused_up_front(base_url, model, sentence):
    report = check(base_url, model=model)

    assert not report.ok and report.message.startswith(sentence)


def test_the_key_appears_in_no_message_even_when_the_server_echoes_it(gemini):
    from fake_gemini import error

    key = GEMINI_SHAPED_KEY
    # A misconfigured proxy that quotes the request back in its error text.
    gemini.enqueue(bad_key(), quota(), error(400, f"Header was Bearer {key}",
                                             grpc_status="INVALID_ARGUMENT"), text("OK"))
    messages = [check(gemini.base_url, key=key).message for _ in range(4)]
    messages.append(check(gemini.base_url.replace("/openai/", "/nowhere/"), key=key).message)

    assert messages[2] == "The model refused the request: Header was Bearer [redacted]."
    assert all(key not in message for message in messages)
