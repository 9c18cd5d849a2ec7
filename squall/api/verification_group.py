"""API group ``verification``: runs of verifiers, their test results, imports and comparisons."""

from __future__ import annotations

import base64
import builtins
import io
from typing import Any

from squall import bounded, exceptions, registry, schema, utils
from squall.api.base import APIGroup, api_method
from squall.storage import repo, verify_repo
from squall.verify import compare as compare_mod
from squall.verify import results as results_mod
from squall.verify import run as run_mod
from squall.verify import subunit_reader

DEFAULT_VERIFICATION_KEY = "default_verification"
IMPORT_FORMATS = ("junit", "subunit")


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in row.items() if k != "id"}, "created_at": utils.iso(row["created_at"]),
            "updated_at": utils.iso(row["updated_at"])}


class VerificationAPI(APIGroup):
    """Start, list, show, import, compare and delete verifications."""

    group_name = "verification"

    def _row(self, uuid: str | None) -> dict[str, Any]:
        uuid = uuid or repo.pref_get(self.db, DEFAULT_VERIFICATION_KEY)
        if not uuid:
            raise exceptions.InvalidArgumentsError("no verification given and none in use")
        return verify_repo.verification_get(self.db, uuid)

    @api_method("POST", runs_commands=True)
    def start(self, verifier: str | None = None, env: str | None = None, run_args: dict[str, Any] | None = None,
              tags: builtins.list[str] | None = None) -> dict[str, Any]:
        """Run a verifier against an environment to its end (blocking); returns the verification."""
        verifier_row = self.api.verifier.resolve(verifier)
        run_args = dict(run_args or {})
        cls = registry.get("verifier", verifier_row["plugin"])
        errors = schema.collect(cls.run_args_schema(), run_args, "run_args")  # type: ignore[attr-defined]
        if errors:
            raise exceptions.InvalidArgumentsError("; ".join(errors))
        env_row = self.api.env.resolve(env)
        row = run_mod.start(self.db, verifier_row, env_row, run_args, list(tags or []))
        repo.pref_set(self.db, DEFAULT_VERIFICATION_KEY, row["uuid"])
        return _public(row)

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
            try:
                data = base64.b64decode(content, validate=True)
            except ValueError:
                raise exceptions.InvalidArgumentsError(f"{source}: subunit content must be base64") from None
            results = subunit_reader.read_subunit(io.BytesIO(data))
        else:
            results = results_mod.read_junit(io.BytesIO(content.encode("utf-8")))
        row = run_mod.import_results(self.db, verifier_row, results, source, list(tags or []))
        repo.pref_set(self.db, DEFAULT_VERIFICATION_KEY, row["uuid"])
        return _public(row)

    @api_method("GET", runs_commands=False)
    def list(self, verifier: str | None = None, env: str | None = None, status: str | None = None,
             tags: builtins.list[str] | None = None) -> builtins.list[dict[str, Any]]:
        """Verifications, oldest first, filtered by verifier, environment, status and tags."""
        verifier_uuid = verify_repo.verifier_get(self.db, verifier)["uuid"] if verifier else None
        env_uuid = repo.env_get(self.db, env)["uuid"] if env else None
        rows = verify_repo.verification_list(self.db, verifier_uuid, env_uuid, status, tags)
        return [_public(r) for r in rows]

    @api_method("GET", runs_commands=False)
    def get(self, uuid: str | None = None, detailed: bool = False) -> dict[str, Any]:
        """One verification (default: the last one); ``detailed`` adds every test's result."""
        row = _public(self._row(uuid))
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

    @api_method("DELETE", runs_commands=False)
    def delete(self, uuid: str) -> dict[str, Any]:
        """Delete a verification and its results."""
        row = self._row(uuid)
        verify_repo.verification_delete(self.db, row["uuid"])
        return {"deleted": row["uuid"]}
