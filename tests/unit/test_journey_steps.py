"""The parts of a journey step: templates, JSON paths, checks and extractions on an answer, the data feed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from squall.cli.output import percent
from squall.platforms.http.fastpath import Response
from squall.platforms.http.journey_feed import feed_rows, row_for
from squall.platforms.http.journey_plan import StepPlan, _join_prefix, _joined, step_name
from squall.platforms.http.journey_steps import Answer, StepFailed, check, extract, json_path_parts, render
from squall.results import MAX_CHECKS, OTHER_CHECKS, add_checks


def _answer(status: int = 200, body: bytes = b'{"items": [{"id": 7}], "next": null}',
            headers: str = "Content-Type: application/json\r\nSet-Cookie: sid=abc; Path=/; HttpOnly\r\n") -> Answer:
    head = f"HTTP/1.1 {status} X\r\n{headers}\r\n".encode()
    return Answer(Response(status, head, body), 0.01, "s")


def test_a_whole_variable_keeps_its_type_and_a_part_becomes_text() -> None:
    scope = {"id": 7, "token": "t"}
    assert render({"id": "${id}", "auth": "Bearer ${token}", "n": [1, "${id}"]}, scope, "s") == {
        "id": 7, "auth": "Bearer t", "n": [1, 7]}
    with pytest.raises(StepFailed, match=r"step 's': \$\{nope\} is not set \(set: id, token\)"):
        render("/x/${nope}", scope, "s")


def test_json_paths() -> None:
    assert json_path_parts("$.items[0].id") == ("items", 0, "id") == json_path_parts("items.0.id")
    for bad in ("$.items[x", "$..a"):
        with pytest.raises(ValueError, match="is not a JSON path"):
            json_path_parts(bad)


def test_checks_say_what_failed() -> None:
    check(_answer(), {"status": [200, 201], "json": {"$.items[0].id": 7, "$.next": None, "$.gone": {"exists": False}},
                      "header": {"content-type": "application/json"}, "body_contains": '"id"'})
    cases = [({}, 503, "step 's': status 503"), ({"status": 201}, 200, "status 200, expected 201"),
             ({"json": {"$.items[0].id": 8}}, 200, "$.items[0].id is 7, expected 8"),
             ({"json": {"$.x": {"exists": True}}}, 200, "$.x is missing"),
             ({"body_matches": "^zz"}, 200, "does not match '^zz'"),
             ({"max_duration": 0.001}, 200, "took 0.0100s, more than 0.001s")]
    for rules, status, message in cases:
        with pytest.raises(StepFailed) as caught:
            check(_answer(status), rules)
        assert message in str(caught.value)


def test_every_check_is_counted_and_the_first_failure_is_raised() -> None:
    counted: list[tuple[str, bool]] = []
    rules = {"status": 200, "json": {"$.items[0].id": 8, "$.next": {"exists": True}}, "header": {"x-a": "b"},
             "body_contains": "items", "max_duration": 5}
    with pytest.raises(StepFailed, match=r"^step 's': \$\.items\[0\]\.id is 7, expected 8$"):
        check(_answer(), rules, lambda name, passed: counted.append((name, passed)))
    assert counted == [("s: status is 200", True), ("s: body contains 'items'", True),
                       ("s: $.items[0].id is 8", False), ("s: $.next exists", True),
                       ("s: header x-a is 'b'", False), ("s: duration <= 5 s", True)]
    counted.clear()  # a body that is not JSON fails each JSON check, named, and the default status is no check
    with pytest.raises(StepFailed, match="the answer is not JSON"):
        check(_answer(200, b"<html>"), {"json": {"$.a": 1}}, lambda name, passed: counted.append((name, passed)))
    assert counted == [("s: $.a is 1", False)]


def test_check_counts_add_up_to_a_bounded_number_of_names() -> None:
    counts: dict[str, list[int]] = {}
    add_checks(counts, {f"c{n}": [1, 0] for n in range(MAX_CHECKS)})
    add_checks(counts, {"c0": [2, 1], "new": [5, 5], "newer": [1, 0]})
    assert len(counts) == MAX_CHECKS + 1 and counts["c0"] == [3, 1] and counts[OTHER_CHECKS] == [6, 5]
    assert list(counts)[0] == "c0" and list(counts)[-1] == OTHER_CHECKS  # first seen, first listed
    assert [percent(p, w) for p, w in ((0, 7), (7, 7), (1, 8), (9999, 10000), (1, 3_000_000), (3, 0))] == [
        "0%", "100%", "12.5%", "99.99%", "0.00003%", "n/a"]


def test_extractions_from_json_regex_header_and_cookie() -> None:
    got = extract(_answer(), {"id": {"json": "$.items[0].id"}, "num": {"regex": r'"id": (\d+)'},
                              "kind": {"header": "content-type"}, "sid": {"cookie": "sid"}})
    assert got == {"id": 7, "num": "7", "kind": "application/json", "sid": "abc"}
    with pytest.raises(StepFailed, match="the answer is not JSON"):
        extract(_answer(body=b"<html>"), {"id": {"json": "$.id"}})


def test_step_names_default_to_the_method_and_path() -> None:
    assert step_name({"url": "${base_url}/items/${id}"}) == "GET /items/${id}"
    assert step_name({"url": "http://h:1/a?b=1", "method": "post"}) == "POST /a"
    assert step_name({"url": "/login", "name": "log in"}) == "log in"


def test_feeds_from_csv_and_json_lines_and_their_errors(tmp_path: Path) -> None:
    csv_file = tmp_path / "u.csv"
    csv_file.write_text("username,password\nann,nna\nbob,bob\n")
    rows = feed_rows(str(csv_file))
    assert rows == [{"username": "ann", "password": "nna"}, {"username": "bob", "password": "bob"}]
    assert [row_for({"rows": rows}, n)["username"] for n in range(3)] == ["ann", "bob", "ann"]
    lines = tmp_path / "u.jsonl"
    lines.write_text('{"id": 1}\n\n{"id": 2}\n')
    assert feed_rows(str(lines)) == [{"id": 1}, {"id": 2}]
    for name, text, message in (("a.csv", "user name\nx\n", "column names must be variable names"),
                                ("b.csv", "a,b\n1\n", "line 2: 2 columns expected"),
                                ("c.jsonl", "[1]\n", "line 1: a JSON object per line"),
                                ("d.csv", "a\n", "no rows")):
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=message):
            feed_rows(str(tmp_path / name))
    with pytest.raises(ValueError, match="No such file"):
        feed_rows(str(tmp_path / "missing.csv"))


@settings(max_examples=1500, deadline=None)
@given(base=st.sampled_from(["http://h:8080", "http://h:8080/", "http://h/api", "http://h/api/v1/", "https://h/a?q=1",
                             "http://h/a#f", "http://h/a/../b"]),
       url=st.text(alphabet="/.?#:;=&%ab1${} \t\x00é", max_size=14))
def test_a_step_url_joins_its_base_as_urljoin_does(base: str, url: str) -> None:
    # The plan appends a plain relative path to the base without urljoin; anything else goes to urljoin.
    if "://" in url:
        return
    assert _joined(base, _join_prefix(base), url) == urljoin(base.rstrip("/") + "/", url.lstrip("/"))


def test_a_step_request_is_built_once_per_set_of_values_and_cookies() -> None:
    step = {"name": "read", "url": "/items/${id}", "headers": {"Authorization": "Bearer ${token}"},
            "json": {"n": "${n}"}}
    plan = StepPlan(step, "http://h:1/api")
    first = plan.request({"id": 7, "token": "t", "n": 1}, {})
    assert first.url == "http://h:1/api/items/7" and b"authorization: Bearer t" in first.raw
    assert plan.request({"id": 7, "token": "t", "n": 1, "other": 2}, {}) is first  # only the values it uses count
    assert plan.request({"id": 8, "token": "t", "n": 1}, {}).url.endswith("/items/8")
    assert plan.request({"id": 7, "token": "t", "n": 1}, {"sid": "x"}).raw.count(b"cookie: sid=x") == 1
    assert plan.request({"id": 7, "token": "t", "n": True}, {}).raw.endswith(b'{"n": true}')  # True is not 1
    with pytest.raises(StepFailed, match=r"\$\{token\} is not set"):
        plan.request({"id": 7, "n": 1}, {})
    big = {"id": 7, "token": "t", "n": "x" * 100_000}  # a big body is sent, not kept
    assert plan.request(big, {}) is not plan.request(big, {}) and len(plan.request(big, {}).raw) > 100_000
