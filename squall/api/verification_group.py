"""API group ``verification``: runs of verifiers, their test results, imports and comparisons."""

from __future__ import annotations

import base64
import builtins
import io
import re
from typing import Any

from squall import bounded, exceptions, registry, schema
from squall.api.base import APIGroup, api_method, public_row
from squall.storage import repo, verify_repo
from squall.verify import compare as compare_mod
from squall.verify import report as report_mod
from squall.verify import results as results_mod
from squall.verify import run as run_mod
from squall.verify import subunit_reader

DEFAULT_VERIFICATION_KEY = "default_verification"
IMPORT_FORMATS = ("junit", "subunit")
REPORT_TYPES = ("html", "json", "junit-xml")
XFAIL_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}


BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


class Base64Reader:
    """A binary stream over base64 text, decoded a block at a time (no decoded copy of the whole upload)."""

    BLOCK = 64 * 1024  # characters, a multiple of 4

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0  # in the text
        self.buffer = b""
        self.offset = 0  # in the buffer

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative)."""
        while (size < 0 or len(self.buffer) - self.offset < size) and self.position < len(self.text):
            block = self.text[self.position:self.position + self.BLOCK]
            self.position += len(block)
            self.buffer = self.buffer[self.offset:] + base64.b64decode(block)
            self.offset = 0
        end = len(self.buffer) if size < 0 else self.offset + size
        data = self.buffer[self.offset:end]
        self.offset += len(data)
        return data


class VerificationAPI(APIGroup):
    """Start, list, show, import, compare and delete verifications."""

    group_name = "verification"

    def _row(self, uuid: str | None) -> dict[str, Any]:
        uuid = uuid or repo.pref_get(self.db, DEFAULT_VERIFICATION_KEY)
        if not uuid:
            raise exceptions.InvalidArgumentsError("no verification given and none in use")
        return verify_repo.verification_get(self.db, uuid)

    def _prepared(self, verifier: str | None, env: str | None,
                  run_args: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]:
        verifier_row = self.api.verifier.resolve(verifier)
        run_args = dict(run_args or {})
        cls = registry.get("verifier", verifier_row["plugin"])
        own = {k: v for k, v in run_args.items() if k != "xfail_list"}  # squall applies the xfail list itself
        errors = schema.collect(cls.run_args_schema(), own, "run_args")  # type: ignore[attr-defined]
        errors += schema.collect(XFAIL_SCHEMA, run_args.get("xfail_list", {}), "run_args.xfail_list")
        if errors:
            raise exceptions.InvalidArgumentsError("; ".join(errors))
        return verifier_row, self.api.env.resolve(env), run_args

    @api_method("POST", runs_commands=True, background="launch")
    def start(self, verifier: str | None = None, env: str | None = None, run_args: dict[str, Any] | None = None,
              tags: builtins.list[str] | None = None) -> dict[str, Any]:
        """Run a verifier against an environment to its end (blocking); returns the verification.

        The service answers at once instead (``launch``): poll ``verification.get``.
        """
        verifier_row, env_row, run_args = self._prepared(verifier, env, run_args)
        row = run_mod.start(self.db, verifier_row, env_row, run_args, list(tags or []))
        repo.pref_set(self.db, DEFAULT_VERIFICATION_KEY, row["uuid"])
        return public_row(row)

    @api_method("POST", runs_commands=True)
    def launch(self, verifier: str | None = None, env: str | None = None, run_args: dict[str, Any] | None = None,
               tags: builtins.list[str] | None = None) -> dict[str, Any]:
        """Start a verification in a process of its own and return it at once (status ``running``)."""
        verifier_row, env_row, run_args = self._prepared(verifier, env, run_args)
        row = run_mod.launch(self.db, verifier_row, env_row, run_args, list(tags or []))
        repo.pref_set(self.db, DEFAULT_VERIFICATION_KEY, row["uuid"])
        return public_row(row)

    @api_method("POST", path="import", runs_commands=False)
    def import_results(self, content: str, verifier: str | None = None, format: str = "junit",  # noqa: A002
                       source: str = "results file", tags: builtins.list[str] | None = None) -> dict[str, Any]:
        """A results file becomes a verification of the verifier.

        ``format``: ``junit`` (``content`` is the XML text) or ``subunit`` (a subunit v2 stream, base64 in
        ``content``, as JSON carries no bytes).
        """
        if format not in IMPORT_FORMATS:
            raise exceptions.InvalidArgumentsError(f"unknown results format '{format}' (known: junit, subunit)")
        if len(content) > bounded.MAX_IMPORT_CHARS:
            raise exceptions.InvalidArgumentsError(
                f"{source} is {len(content):,} characters; the limit is {bounded.MAX_IMPORT_CHARS:,}")
        verifier_row = self.api.verifier.resolve(verifier)
        if format == "subunit":
            if not BASE64.fullmatch(content):
                raise exceptions.InvalidArgumentsError(f"{source}: subunit content must be base64")
            results = subunit_reader.read_subunit(Base64Reader(content))  # type: ignore[arg-type]
        else:
            results = results_mod.read_junit(io.BytesIO(content.encode("utf-8")))
        row = run_mod.import_results(self.db, verifier_row, results, source, list(tags or []))
        repo.pref_set(self.db, DEFAULT_VERIFICATION_KEY, row["uuid"])
        return public_row(row)

    @api_method("GET", runs_commands=False)
    def list(self, verifier: str | None = None, env: str | None = None, status: str | None = None,
             tags: builtins.list[str] | None = None) -> builtins.list[dict[str, Any]]:
        """Verifications, oldest first, filtered by verifier, environment, status and tags."""
        verifier_uuid = verify_repo.verifier_get(self.db, verifier)["uuid"] if verifier else None
        env_uuid = repo.env_get(self.db, env)["uuid"] if env else None
        rows = verify_repo.verification_list(self.db, verifier_uuid, env_uuid, status, tags)
        return [{k: v for k, v in public_row(r).items() if k != "config"} for r in rows]

    @api_method("GET", runs_commands=False)
    def get(self, uuid: str | None = None, detailed: bool = False) -> dict[str, Any]:
        """One verification (default: the last one); ``detailed`` adds every test's result."""
        row = public_row(self._row(uuid))
        if detailed:
            row["tests"] = builtins.list(verify_repo.results(self.db, row["uuid"]))
        return row

    @api_method("GET", runs_commands=False)
    def compare(self, uuid_a: str, uuid_b: str, duration_change: float = 50.0) -> dict[str, Any]:
        """B against A: new failures, fixed, new, gone and now-skipped tests, duration changes; ``regression``."""
        if duration_change < 0:
            raise exceptions.InvalidArgumentsError("duration_change must not be negative")
        a, b = self._row(uuid_a), self._row(uuid_b)
        result = compare_mod.compare(verify_repo.results(self.db, a["uuid"]),
                                     verify_repo.results(self.db, b["uuid"]), duration_change)
        return {"a": a["uuid"], "b": b["uuid"], **result}

    def _again(self, uuid: str | None, failed: bool, tags: builtins.list[str] | None) -> dict[str, Any]:
        row = self._row(uuid)
        run_args = dict(row["run_args"] or {})
        if failed:
            names = [t["name"] for t in verify_repo.results(self.db, row["uuid"])
                     if t["status"] in ("fail", "uxsuccess")]
            if not names:
                raise exceptions.InvalidArgumentsError(f"verification {row['uuid']} has no failed test to rerun")
            run_args.pop("pattern", None)
            run_args["load_list"] = names
        return {"verifier": row["verifier_uuid"], "env": row["env_uuid"], "run_args": run_args,
                "tags": list(tags if tags is not None else row["tags"] or [])}

    @api_method("POST", runs_commands=True, background="relaunch")
    def rerun(self, uuid: str | None = None, failed: bool = False, tags: builtins.list[str] | None = None
              ) -> dict[str, Any]:
        """Run a verification's verifier again with the same arguments; ``failed``: only the tests that failed."""
        return self.start(**self._again(uuid, failed, tags))

    @api_method("POST", runs_commands=True)
    def relaunch(self, uuid: str | None = None, failed: bool = False, tags: builtins.list[str] | None = None
                 ) -> dict[str, Any]:
        """``rerun`` in a process of its own, returning at once."""
        return self.launch(**self._again(uuid, failed, tags))

    @api_method("GET", runs_commands=False)
    def report(self, uuids: builtins.list[str] | None = None, type: str = "html") -> dict[str, Any]:  # noqa: A002
        """Verifications as ``html`` (side by side, flaky tests marked), ``json`` or ``junit-xml``."""
        if type not in REPORT_TYPES:
            raise exceptions.InvalidArgumentsError(f"unknown report type '{type}' (known: {', '.join(REPORT_TYPES)})")
        rows = [public_row(self._row(u)) for u in (uuids or [None])]  # type: ignore[list-item]
        tests = [builtins.list(verify_repo.results(self.db, r["uuid"])) for r in rows]
        if type == "json":
            return {"type": type, "content": report_mod.to_json(rows, tests)}
        if type == "junit-xml":
            return {"type": type, "content": report_mod.to_junit(rows, tests)}
        marked = [f["name"] for f in report_mod.flaky(report_mod.histories(tests), 2)]
        return {"type": type, "content": report_mod.to_html(rows, tests, marked)}

    @api_method("GET", runs_commands=False)
    def flaky(self, verifier: str | None = None, env: str | None = None, last: int = 10) -> dict[str, Any]:
        """Tests whose outcome flipped across the last ``last`` runs of the verifier (on the environment)."""
        if not 2 <= last <= 1000:
            raise exceptions.InvalidArgumentsError("last must be between 2 and 1000")
        verifier_row = self.api.verifier.resolve(verifier)
        env_uuid = repo.env_get(self.db, env)["uuid"] if env else None
        runs = [r for r in verify_repo.verification_list(self.db, verifier_row["uuid"], env_uuid)
                if r["status"] in ("finished", "failed")][-last:]
        seen = report_mod.histories(verify_repo.results(self.db, run["uuid"]) for run in runs)
        return {"runs": [r["uuid"] for r in runs], "tests": report_mod.flaky(seen)}

    @api_method("POST", runs_commands=False)
    def use(self, uuid: str) -> dict[str, Any]:
        """Make a verification the default of later commands."""
        row = self._row(uuid)
        repo.pref_set(self.db, DEFAULT_VERIFICATION_KEY, row["uuid"])
        return public_row(row)

    @api_method("DELETE", runs_commands=False)
    def delete(self, uuid: str) -> dict[str, Any]:
        """Delete a verification and its results."""
        row = self._row(uuid)
        verify_repo.verification_delete(self.db, row["uuid"])
        return {"deleted": row["uuid"]}
