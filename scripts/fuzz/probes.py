"""Hand-made HTTP probes for what a schema-driven fuzzer does not send: other methods, wrong or
missing content types, broken JSON, bodies over the limit, malformed URLs and request lines,
oversized headers, bad credentials. Part of scripts/fuzz-api.sh.

    python probes.py API_URL TOKEN OUT.json [RUN_ID TASK_ID]

Only loopback addresses are accepted. Each probe is one request; its verdict is
  5xx            the server failed
  not-problem    an error (>= 400) that is not application/problem+json with type/title/status
  unexpected     a status outside the probe's expected set
Writes every result to OUT.json and prints a table.
"""
from __future__ import annotations

import http.client
import json
import socket
import sys
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from hooks import problem_issue

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Probe:
    name: str
    method: str = "GET"
    path: str = "/processes"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    auth: bool = True
    expect: tuple[int, ...] = ()
    raw: bytes | None = None  # sent as is on a socket instead of method/path/headers/body


@dataclass
class Result:
    name: str
    request: str
    status: int
    content_type: str | None
    body: str
    verdict: str  # ok | 5xx | not-problem | unexpected | error
    detail: str = ""


def probes(run_id: str, task_id: str) -> list[Probe]:
    json_ct = {"content-type": "application/json"}
    start = "/processes/manual-task/runs"
    deep = b"[" * 100_000 + b"]" * 100_000
    return [
        # Methods
        Probe("HEAD of a GET route", "HEAD", "/processes", expect=(200,)),
        Probe("HEAD of a missing run", "HEAD", "/runs/no-such-run", expect=(404,)),
        Probe("HEAD without credentials", "HEAD", "/processes", auth=False, expect=(401,)),
        Probe("OPTIONS of a route", "OPTIONS", "/processes", expect=(405,)),
        Probe("OPTIONS without credentials", "OPTIONS", "/tasks/x.t1/claim", auth=False, expect=(405,)),
        Probe("TRACE of a route", "TRACE", "/me", expect=(405,)),
        Probe("DELETE of a GET route", "DELETE", "/processes", expect=(405,)),
        Probe("PUT of a POST route", "PUT", f"/tasks/{task_id}/complete", headers=json_ct, body=b"{}", expect=(405,)),
        Probe("PATCH of an unknown path", "PATCH", "/nowhere", headers=json_ct, body=b"{}", expect=(404,)),
        Probe("unknown path", "GET", "/nowhere", expect=(404,)),
        Probe("double slash", "GET", "//processes", expect=(404,)),
        # Bodies and content types
        Probe("text/plain body", "POST", start, {"content-type": "text/plain"}, b"hello", expect=(400, 415)),
        Probe("form body", "POST", start, {"content-type": "application/x-www-form-urlencoded"}, b"client=acme-health", expect=(415,)),
        Probe("multipart without boundary", "POST", start, {"content-type": "multipart/form-data"}, b"x", expect=(400, 415)),
        Probe("xml body", "POST", start, {"content-type": "application/xml"}, b"<a/>", expect=(415,)),
        Probe("no content type", "POST", start, {}, b'{"client":"acme-health"}', expect=(400, 415)),
        Probe("garbage content type", "POST", start, {"content-type": "][;;=="}, b"{}", expect=(400, 415)),
        Probe("json with utf-16 charset", "POST", start, {"content-type": "application/json; charset=utf-16"}, b"{}", expect=(400, 415)),
        Probe("malformed json", "POST", start, json_ct, b'{"client": ', expect=(400,)),
        Probe("empty json body", "POST", start, json_ct, b"", expect=(400,)),
        Probe("json null", "POST", start, json_ct, b"null", expect=(400,)),
        Probe("json array", "POST", start, json_ct, b"[]", expect=(400,)),
        Probe("json string", "POST", start, json_ct, b'"x"', expect=(400,)),
        Probe("invalid utf-8 in json", "POST", start, json_ct, b'{"client":"\xff\xfe"}', expect=(400,)),
        Probe("__proto__ key", "POST", start, json_ct, b'{"__proto__":{"admin":true}}', expect=(400,)),
        Probe("constructor.prototype key", "POST", start, json_ct, b'{"constructor":{"prototype":{"admin":true}}}', expect=(400,)),
        Probe("number overflow", "POST", "/teams/claims-review/take-next", json_ct, b'{"leaseMs":1e400}', expect=(400,)),
        Probe("deeply nested json", "POST", start, json_ct, deep, expect=(400,)),
        Probe("body over the limit (300 KiB)", "POST", start, json_ct, b'{"title":"' + b"a" * 300_000 + b'"}', expect=(413,)),
        Probe("content-encoding gzip, plain body", "POST", start, {**json_ct, "content-encoding": "gzip"}, b"{}", expect=(400, 415)),
        Probe("decision with unknown action", "POST", f"/tasks/{task_id}/complete", json_ct, b'{"action":"nope","data":{}}', expect=(400, 404, 409)),
        Probe("bulk-complete with 101 ids", "POST", "/tasks/bulk-complete", json_ct,
              json.dumps({"taskIds": [f"r{i}.t1" for i in range(101)], "action": "approve", "data": {}}).encode(), expect=(400,)),
        # URLs and parameters
        Probe("bad percent-encoding", "GET", "/runs/%zz", expect=(400,)),
        Probe("truncated utf-8 escape", "GET", "/runs/%E0%A4%A", expect=(400,)),
        Probe("encoded slash in a parameter", "GET", "/runs/a%2Fb", expect=(400, 404)),
        Probe("NUL in a parameter", "GET", "/runs/a%00b", expect=(400, 404)),
        Probe("run id over maxLength (201)", "GET", "/runs/" + "a" * 201, expect=(400,)),
        Probe("run id over the router's limit (300)", "GET", "/runs/" + "a" * 300, expect=(400, 414)),
        Probe("task id over maxLength", "GET", "/tasks/" + "a" * 230 + ".t1", expect=(400,)),
        Probe("traversal in artifact file", "GET", f"/artifacts/{run_id}/..%2F..%2Fpackage.json", expect=(400, 404)),
        Probe("query limit not a number", "GET", "/teams/claims-review/tasks?limit=abc", expect=(400,)),
        Probe("query limit twice", "GET", "/teams/claims-review/tasks?limit=1&limit=2", expect=(200, 400)),
        Probe("query bad cursor", "GET", "/teams/claims-review/tasks?cursor=not-a-cursor", expect=(400,)),
        Probe("query 8 KiB", "GET", "/teams/claims-review/tasks?q=" + "a" * 8192, expect=(400,)),
        Probe("team not the caller's", "GET", "/teams/payroll/tasks", expect=(403,)),
        Probe("audit as jsonl", "GET", f"/runs/{run_id}/audit?format=jsonl", expect=(200, 404)),
        Probe("audit bad format", "GET", f"/runs/{run_id}/audit?format=xml", expect=(400,)),
        Probe("events of another team", "GET", "/teams/payroll/events", expect=(403,)),
        Probe("events with a bad query token", "GET", "/teams/claims-review/events?access_token=junk", auth=False, expect=(401,)),
        # Credentials
        Probe("no credentials", "GET", "/me", auth=False, expect=(401,)),
        Probe("empty bearer", "GET", "/me", {"authorization": "Bearer "}, auth=False, expect=(401,)),
        Probe("basic auth", "GET", "/me", {"authorization": "Basic YTpi"}, auth=False, expect=(401,)),
        Probe("garbage bearer", "GET", "/me", {"authorization": "Bearer x.y.z"}, auth=False, expect=(401,)),
        Probe("alg none token", "GET", "/me",
              {"authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJzYW0ucml2ZXJhIn0."}, auth=False, expect=(401,)),
        Probe("10 KiB bearer", "GET", "/me", {"authorization": "Bearer " + "a" * 10_240}, auth=False, expect=(401,)),
        Probe("unknown api key", "GET", "/me", {"x-api-key": "tk_nope"}, auth=False, expect=(401,)),
        Probe("public health", "GET", "/health", auth=False, expect=(200,)),
        Probe("public openapi", "GET", "/openapi.json", auth=False, expect=(200,)),
        Probe("static asset traversal", "GET", "/inbox/assets/..%2F..%2Fapp.ts", auth=False, expect=(400, 403, 404)),
        # Malformed HTTP (raw sockets)
        Probe("header block over 16 KiB", raw=b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n", expect=(431,)),
        Probe("garbage request line", raw=b"HELLO\r\n\r\n", expect=(400,)),
        Probe("no Host header", raw=b"GET /health HTTP/1.1\r\n\r\n", expect=(400,)),
        Probe("bad Content-Length", raw=b"POST /processes/manual-task/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}", expect=(400,)),
        Probe("Content-Length and chunked", raw=b"POST /processes/manual-task/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", expect=(400,)),
        Probe("bad chunk size", raw=b"POST /processes/manual-task/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", expect=(400,)),
        Probe("space in the path", raw=b"GET /pro cesses HTTP/1.1\r\nHost: x\r\n\r\n", expect=(400,)),
        Probe("HTTP/1.0 request", raw=b"GET /health HTTP/1.0\r\n\r\n", expect=(200,)),
    ]


def send_raw(host: str, port: int, data: bytes) -> tuple[int, str | None, bytes]:
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    raw = b"".join(chunks)
    if not raw:
        return 0, None, b""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    content_type = next((ln.split(":", 1)[1].strip() for ln in lines[1:] if ln.lower().startswith("content-type:")), None)
    return status, content_type, body


def _complete(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\r\n\r\n")
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if line.lower().startswith("content-length:"):
            return len(body) >= int(line.split(":", 1)[1])
    return False


def run(api: str, token: str, run_id: str, task_id: str) -> list[Result]:
    url = urlsplit(api)
    host, port = url.hostname or "", url.port or 80
    if host not in LOOPBACK:
        raise SystemExit(f"probes.py: {api} is not a loopback address; refusing to send traffic there")
    results = []
    for probe in probes(run_id, task_id):
        if probe.raw is not None:
            shown = probe.raw[:80].decode("latin-1").replace("\r\n", "\\r\\n")
            try:
                status, content_type, body = send_raw(host, port, probe.raw)
            except OSError as err:
                results.append(Result(probe.name, shown, 0, None, "", "error", str(err)))
                continue
        else:
            shown = f"{probe.method} {probe.path[:80]}"
            headers = dict(probe.headers)
            if probe.auth:
                headers.setdefault("authorization", f"Bearer {token}")
            conn = http.client.HTTPConnection(host, port, timeout=30)
            try:
                conn.putrequest(probe.method, probe.path, skip_accept_encoding=True)
                for k, v in headers.items():
                    conn.putheader(k, v)
                if probe.body is not None:
                    conn.putheader("content-length", str(len(probe.body)))
                conn.endheaders(probe.body)
                response = conn.getresponse()
                status, content_type = response.status, response.getheader("content-type")
                body = response.read() if probe.method != "HEAD" else b""
            except (OSError, http.client.HTTPException) as err:
                results.append(Result(probe.name, shown, 0, None, "", "error", str(err)))
                continue
            finally:
                conn.close()
        issue = problem_issue(status, content_type, body, head=probe.method == "HEAD" and probe.raw is None)
        if status >= 500:
            verdict, detail = "5xx", ""
        elif issue:
            verdict, detail = "not-problem", issue
        elif probe.expect and status not in probe.expect:
            verdict, detail = "unexpected", f"expected {'/'.join(map(str, probe.expect))}"
        else:
            verdict, detail = "ok", ""
        results.append(Result(probe.name, shown, status, content_type, body[:300].decode("utf-8", "replace"), verdict, detail))
        time.sleep(0.01)
    return results


def main() -> int:
    api, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
    run_id = sys.argv[4] if len(sys.argv) > 4 else "no-such-run"
    task_id = sys.argv[5] if len(sys.argv) > 5 else "no-such-run.t1"
    results = run(api.rstrip("/"), token, run_id, task_id)
    with open(out, "w") as f:
        json.dump([asdict(r) for r in results], f, indent=1)
    for r in results:
        mark = "ok " if r.verdict == "ok" else "!! "
        print(f"  {mark}{r.status:>3}  {r.name:<40} {r.verdict if r.verdict != 'ok' else ''} {r.detail}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
