"""Every way of getting the tool's input wrong ends in one clear line and exit code 2 — never a traceback.

Exit 2 is for a target that cannot be tested at all (unreachable, not HTTP, no JSON anywhere, the owner's
credentials refused everywhere) and for input the tool cannot use. What the suite exists to report — a fixture
package of another org, an endpoint answering nonsense — is a requirement failure in a complete run instead."""

from __future__ import annotations

import socket
import threading

import pytest
from stub_http import Handler, serve
from suite_runs import tool
from test_runs import write_profile

from reactor_conformance.refserver.server import start_server

BAD_INPUT = 2
FINDINGS = 1


class _Answers(Handler):
    """A server that is not a Reactor API: it answers every request with a fixed body."""

    content_type, body = "text/html", b"<html><body>Welcome</body></html>"

    def do_GET(self):
        self.answer(200, self.body, self.content_type)


def serve_answer(content_type: str, body: bytes):
    return serve(type("Handler", (_Answers,), {"content_type": content_type, "body": body}))


class _NonsenseForThePackage(Handler):
    """Empty JSON:API lists everywhere, and an HTML error page for any single package."""

    def do_GET(self):
        if self.path.split("?")[0].rstrip("/").count("/") == 2 and self.path.startswith("/extension_packages/EP"):
            self.answer(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        else:
            self.answer(200, b'{"data": [], "meta": {"pagination": {"current_page": 1, "next_page": null, '
                        b'"prev_page": null, "total_pages": 1, "total_count": 0}}}', "application/vnd.api+json")


class _EmptyStringEverywhere(Handler):
    """A mock serving the spec's media type with no example behind it: ``""`` to every request."""

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer(200, b'""', "application/vnd.api+json")

    do_GET = do_POST = do_PATCH = do_DELETE = _answer


def serve_not_http() -> int:
    """A port that answers a line that is not HTTP (an SSH banner) and hangs up; returns the port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer():
        while True:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    threading.Thread(target=answer, daemon=True).start()
    return listener.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    with start_server() as running:
        yield running


@pytest.fixture(scope="module")
def good_profile(server, tmp_path_factory):
    return write_profile(tmp_path_factory.mktemp("profiles") / "good.toml", server)


def edited(good_profile, tmp_path, old: str, new: str):
    text = good_profile.read_text("utf-8")
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return str(path)


def case_unreachable(server, good_profile, tmp_path):
    return ["run", "--target", "http://127.0.0.1:9", "--profile", str(good_profile)], "cannot reach"


def case_tls_to_plain_http(server, good_profile, tmp_path):
    return ["run", "--target", server.base_url.replace("http:", "https:"), "--profile", str(good_profile)], "TLS"


def case_html(server, good_profile, tmp_path):
    httpd = serve_answer("text/html", b"<html>hello</html>")
    return ["run", "--target", httpd.url, "--profile", str(good_profile)], "text/html"


def case_plain_text(server, good_profile, tmp_path):
    httpd = serve_answer("text/plain", b"OK")
    return ["run", "--target", httpd.url, "--profile", str(good_profile)], "text/plain"


def case_not_http(server, good_profile, tmp_path):
    return ["run", "--target", f"http://127.0.0.1:{serve_not_http()}", "--profile", str(good_profile)], "not HTTP"


def case_credentials_refused_everywhere(server, good_profile, tmp_path):
    owner = server.profile()["identities"]["owner"]
    return ["run", "--profile", edited(good_profile, tmp_path, f'api_key = "{owner["api_key"]}"',
                                       'api_key = "an-api-key-nobody-issued"')], \
        "refused the owner identity's credentials on every request"


def case_not_toml(server, good_profile, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[target\nbase_url = ", "utf-8")
    return ["run", "--profile", str(path)], "not valid TOML"


def case_missing_identity(server, good_profile, tmp_path):
    return ["run", "--profile", edited(good_profile, tmp_path, "[identities.authorized]", "[identities.outsider2]")], \
        "unknown identity"


def case_unset_variable(server, good_profile, tmp_path):
    token = server.profile()["identities"]["owner"]["access_token"]
    return ["run", "--profile", edited(good_profile, tmp_path, token, "${REACTOR_TEST_UNSET_TOKEN}")], \
        "REACTOR_TEST_UNSET_TOKEN} is not set"


def case_ims_refuses(server, good_profile, tmp_path):
    owner = server.profile()["identities"]["owner"]
    path = edited(good_profile, tmp_path, f'access_token = "{owner["access_token"]}"', "")
    text = open(path).read().replace(owner["client_secret"], "wrong-secret")
    open(path, "w").write(text)
    return ["run", "--profile", path], "refused the credentials"


def case_target_without_credentials(server, good_profile, tmp_path):
    return ["run", "--target", server.base_url], "needs credentials"


def case_missing_profile_file(server, good_profile, tmp_path):
    return ["run", "--profile", str(tmp_path / "nope.toml")], "does not exist"


def case_unknown_fault(server, good_profile, tmp_path):
    return ["run", "--fault", "no-such-fault"], "no-such-fault"


def case_unknown_operation(server, good_profile, tmp_path):
    return ["run", "--operation", "noSuchOperation"], "noSuchOperation"


def case_report_of_nothing(server, good_profile, tmp_path):
    return ["report", "--baseline", str(tmp_path), "--current", str(tmp_path)], "summary.json"


def case_cleanup_without_ledger(server, good_profile, tmp_path):
    return ["cleanup", "--ledger", str(tmp_path / "ledger.jsonl"), "--profile", str(good_profile)], "does not exist"


def case_unknown_option(server, good_profile, tmp_path):
    return ["run", "--no-such-option"], "unrecognized arguments: --no-such-option"


def case_level_unknown_to_run(server, good_profile, tmp_path):
    return ["run", "--level", "sometimes"], "invalid choice"


def case_level_unknown_to_requirements(server, good_profile, tmp_path):
    return ["requirements", "--level", "sometimes"], "invalid choice"


def case_unknown_requirement_with_workers(server, good_profile, tmp_path):
    return ["run", "--requirement", "NOPE-99", "-n", "2"], "NOPE-99"


def case_unknown_command(server, good_profile, tmp_path):
    return ["judge"], "invalid choice"


CASES = [
    ("an unreachable target", case_unreachable),
    ("TLS spoken to a plain-HTTP port", case_tls_to_plain_http),
    ("a target that answers HTML", case_html),
    ("a target that answers plain text", case_plain_text),
    ("a port that does not speak HTTP", case_not_http),
    ("the owner's credentials refused on every request", case_credentials_refused_everywhere),
    ("a profile that is not TOML", case_not_toml),
    ("a profile with an unknown identity and without the authorized one", case_missing_identity),
    ("an unset ${VAR}", case_unset_variable),
    ("IMS refusing the client credentials", case_ims_refuses),
    ("--target without credentials", case_target_without_credentials),
    ("a profile file that does not exist", case_missing_profile_file),
    ("an unknown fault name", case_unknown_fault),
    ("an operation the spec does not have", case_unknown_operation),
    ("a report of folders without summaries", case_report_of_nothing),
    ("cleanup of a ledger that does not exist", case_cleanup_without_ledger),
    ("an option no command has", case_unknown_option),
    ("a level run does not know", case_level_unknown_to_run),
    ("a level requirements does not know", case_level_unknown_to_requirements),
    ("an unknown requirement, with workers", case_unknown_requirement_with_workers),
    ("a command the tool does not have", case_unknown_command),
]


@pytest.mark.parametrize("description, make_case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_line_and_exit_2(description, make_case, server, good_profile, tmp_path):
    args, fragment = make_case(server, good_profile, tmp_path)
    completed = tool(*args, reports=tmp_path / "reports", workers=None if "-n" in args else "0")
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert completed.code == BAD_INPUT, (completed.code, completed.stdout[-1500:], completed.stderr[-1500:])
    assert "Traceback" not in completed.stderr + completed.stdout
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("reactor-conformance: "), lines[0]  # one prefix, whichever command
    assert fragment in lines[0], lines[0]


# What the suite exists to report, never a reason to stop: description, the case (run arguments), the requirement
# that must fail and a fragment of its failure. Each run is limited to that requirement's tests.
def finding_unknown_package(server, good_profile, tmp_path):
    package = server.profile()["fixtures"]["extension_package_id"]
    return ["run", "--profile", edited(good_profile, tmp_path, package, "EP" + "0" * 32)]


def finding_package_of_another_org(server, good_profile, tmp_path):
    fixtures = server.profile()["fixtures"]
    owned, foreign = fixtures["extension_package_id"], fixtures["public_extension_package_id"]
    return ["run", "--profile", edited(good_profile, tmp_path, f'extension_package_id = "{owned}"',
                                       f'extension_package_id = "{foreign}"')]


def finding_nonsense_for_the_package(server, good_profile, tmp_path):
    httpd = serve(_NonsenseForThePackage)
    return ["run", "--target", httpd.url, "--profile", str(good_profile)]


def finding_json_api_typed_junk(server, good_profile, tmp_path):
    return ["run", "--target", serve(_EmptyStringEverywhere).url, "--profile", str(good_profile)]


FINDINGS_CASES = [
    ("a fixture package that does not exist", finding_unknown_package, "CREATE-01",
     "expected: HTTP 200\n  observed: HTTP 404 with a JSON:API error document"),
    ("a fixture package the owner does not own", finding_package_of_another_org, "CREATE-01",
     "whose package it is"),
    ("an endpoint answering an HTML error page", finding_nonsense_for_the_package, "CREATE-01",
     'observed: HTTP 500 with text/html: "<html><body>Internal Server Error</body></html>"'),
    ("a mock answering \"\" as JSON:API to everything", finding_json_api_typed_junk, "CREATE-01",
     'observed: the body is the string ""'),
]


@pytest.mark.parametrize("description, make_case, requirement, fragment", FINDINGS_CASES,
                         ids=[c[0] for c in FINDINGS_CASES])
def test_what_the_suite_reports_is_a_failed_requirement_not_a_stop(description, make_case, requirement, fragment,
                                                                     server, good_profile, tmp_path):
    args = make_case(server, good_profile, tmp_path)
    completed = tool(*args, "--no-fuzz", "--requirement", requirement, reports=tmp_path / "reports")
    assert completed.code == FINDINGS, (completed.code, completed.stdout[-1500:], completed.stderr[-1500:])
    record = completed.summary["requirements"][requirement]
    assert record["status"] == "failed", record
    assert fragment in record["message"], record["message"]
