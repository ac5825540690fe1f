"""Schemathesis hooks for scripts/fuzz-api.sh: Tandem's own checks.

Loaded through SCHEMATHESIS_HOOKS=hooks (with scripts/fuzz on PYTHONPATH).

problem_json_on_error: every response with a status of 400 or more is RFC 9457
application/problem+json whose JSON body has a string `type`, a string `title` and an integer
`status` equal to the HTTP status.
"""
from __future__ import annotations

import json

import schemathesis

PROBLEM = "application/problem+json"


def problem_issue(status: int, content_type: str | None, body: bytes | str | None) -> str | None:
    """Why an error response is not problem+json, or None when it is (shared with probes.py)."""
    if status < 400:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    if media != PROBLEM:
        return f"content-type is {content_type or '(none)'!r}, not {PROBLEM}"
    try:
        doc = json.loads(body or b"")
    except ValueError:
        return "body is not JSON"
    if not isinstance(doc, dict):
        return "body is not a JSON object"
    missing = [k for k, t in (("type", str), ("title", str), ("status", int)) if not isinstance(doc.get(k), t)]
    if missing:
        return "body lacks " + ", ".join(missing)
    if doc["status"] != status:
        return f"body status {doc['status']} differs from HTTP status {status}"
    return None


@schemathesis.check
def problem_json_on_error(ctx, response, case):
    """Error responses (>= 400) are application/problem+json with type, title and status."""
    content_type = (response.headers.get("content-type") or [None])[0]  # lower-case keys, list values
    issue = problem_issue(response.status_code, content_type, response.content)
    if issue:
        raise AssertionError(f"{response.status_code} is not problem+json: {issue}")
