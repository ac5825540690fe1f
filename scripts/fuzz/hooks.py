"""Schemathesis hooks for scripts/fuzz-api.sh: Tandem's own checks.

Loaded with SCHEMATHESIS_HOOKS=hooks and scripts/fuzz on PYTHONPATH.

problem_json_on_error   every response with a status of 400 or more is RFC 9457
                        application/problem+json whose JSON body has a string `type`, a string
                        `title` and an integer `status` equal to the HTTP status.
unauthenticated_refused only when TANDEM_FUZZ_EXPECT=unauthenticated (the passes without
                        credentials or with a bad token): every operation that the document
                        says needs credentials answers 401, whatever else is wrong with the
                        request (authentication runs before validation); a request too large
                        to read (414, 431) is refused before that.
"""
from __future__ import annotations

import json
import os

import schemathesis

PROBLEM = "application/problem+json"


def problem_issue(status: int, content_type: str | None, body: bytes | str | None, *, head: bool = False) -> str | None:
    """Why an error response is not problem+json, or None when it is (probes.py uses it too).

    A reply to HEAD has no body: only its content type is checked.
    """
    if status < 400:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    if media != PROBLEM:
        return f"content-type is {content_type or '(none)'!r}, not {PROBLEM}"
    if head:
        return None
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


def _content_type(response) -> str | None:
    values = response.headers.get("content-type")  # lower-case keys, list values
    return values[0] if values else None


@schemathesis.check
def problem_json_on_error(ctx, response, case):
    """Error responses (>= 400) are application/problem+json with type, title and status."""
    issue = problem_issue(response.status_code, _content_type(response), response.content, head=case.method.upper() == "HEAD")
    if issue:
        raise AssertionError(f"{response.status_code} is not problem+json: {issue}")


def _is_public(case) -> bool:
    security = case.operation.definition.raw.get("security")
    return security == []


@schemathesis.check
def unauthenticated_refused(ctx, response, case):
    """Without valid credentials, every operation that needs them answers 401."""
    if os.environ.get("TANDEM_FUZZ_EXPECT") != "unauthenticated" or _is_public(case):
        return None
    # 431 and 414: the request line or headers are too large for the server to read at all.
    if response.status_code not in (401, 414, 431):
        raise AssertionError(f"expected 401 without valid credentials, got {response.status_code}")
    return None
