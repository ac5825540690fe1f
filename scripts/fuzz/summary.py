"""The numbers of a scripts/fuzz-api.sh run, from its report folder.

    python summary.py OUT_DIR

Reads each schemathesis pass's HAR (every request it sent and the response) and JSON report
(its failures), and the probes' results. Prints requests, 5xx, error responses that are not
problem+json, schemathesis failures per operation; writes OUT_DIR/summary.json. Exit 1 when
any of those is not zero (or a pass did not run).
"""
from __future__ import annotations

import glob
import json
import os
import sys
from collections import Counter, defaultdict

from urllib.parse import urlsplit

from hooks import problem_issue

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

PASSES = ("authenticated", "no-credentials", "bad-token")


def latest(pattern: str) -> str | None:
    files = sorted(glob.glob(pattern))
    return files[-1] if files else None


def header(headers: list[dict], name: str) -> str | None:
    return next((h["value"] for h in headers if h["name"].lower() == name), None)


def har_numbers(path: str) -> dict:
    with open(path) as f:
        entries = json.load(f)["log"]["entries"]
    statuses: Counter = Counter()
    server_errors, not_problem, network, outside, times = [], [], 0, [], []
    for e in entries:
        req, res = e["request"], e["response"]
        status = res["status"]
        if status == 0:
            network += 1
            continue
        outside += subscribed_outside(req, status)
        times.append((round(e.get("time", 0)), req["method"], "/" + req["url"].split("://", 1)[-1].split("/", 1)[-1][:80], status))
        statuses[status] += 1
        path = "/" + req["url"].split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
        where = f"{req['method']} {path if len(path) <= 100 else path[:97] + '...'}"
        if status >= 500:
            server_errors.append(f"{where} -> {status}")
        issue = problem_issue(status, header(res["headers"], "content-type"), res["content"].get("text", ""), head=req["method"] == "HEAD")
        if issue:
            not_problem.append(f"{where} -> {status}: {issue}")
    return {
        "requests": len(entries),
        "network_errors": network,
        "statuses": dict(sorted(statuses.items())),
        "server_errors": server_errors,
        "not_problem_json": not_problem,
        "webhooks_outside_loopback": outside,
        "slowest": sorted(times, reverse=True)[:3],
    }


def subscribed_outside(req: dict, status: int) -> list[str]:
    """A webhook subscription the API accepted for a URL off this machine: must never happen."""
    if req["method"] != "POST" or not req["url"].split("?")[0].endswith("/webhooks/subscriptions") or status >= 300:
        return []
    try:
        url = json.loads(req.get("postData", {}).get("text") or "{}").get("url")
    except (ValueError, AttributeError):
        return []
    host = urlsplit(url).hostname if isinstance(url, str) else None
    return [] if host in LOOPBACK else [str(url)]


def report_failures(path: str) -> tuple[dict, dict]:
    with open(path) as f:
        report = json.load(f)
    per_operation: dict[str, list[str]] = defaultdict(list)
    for failure in report.get("failures", []):
        for operation in failure.get("operations", []):
            per_operation[operation].append(f"{failure['code']} {failure['title']}")
    return dict(sorted(per_operation.items())), {
        "version": report.get("schemathesis_version"),
        "seed": report.get("seed"),
        "test_cases": report.get("test_cases", {}),
        "errors": report.get("errors", []),
        "seconds": round(report.get("running_time", 0)),
    }


def main() -> int:
    out = sys.argv[1]
    summary: dict = {"passes": {}, "probes": None}
    ok = True
    rows = []
    for name in PASSES:
        har = latest(os.path.join(out, name, "har-*.json"))
        rep = latest(os.path.join(out, name, "json-*.json"))
        if not har or not rep:
            print(f"!! pass {name} left no report (see {name}.txt)")
            ok = False
            continue
        numbers = har_numbers(har)
        failures, meta = report_failures(rep)
        numbers.update(failures=failures, **meta)
        summary["passes"][name] = numbers
        failure_count = sum(len(v) for v in failures.values())
        error_count = sum(e.get("count", 1) for e in meta["errors"])
        rows.append((name, numbers["requests"], len(numbers["server_errors"]), len(numbers["not_problem_json"]), failure_count, error_count, meta["seconds"]))
    probes_file = os.path.join(out, "probes.json")
    if os.path.exists(probes_file):
        with open(probes_file) as f:
            probes = json.load(f)
        verdicts = Counter(p["verdict"] for p in probes)
        summary["probes"] = {"requests": len(probes), "verdicts": dict(verdicts), "not_ok": [p for p in probes if p["verdict"] != "ok"]}
        rows.append(("probes", len(probes), verdicts["5xx"], verdicts["not-problem"], verdicts["unexpected"], verdicts["error"], None))
    else:
        print("!! the probes left no results (see probes.txt)")
        ok = False

    version = next((p["version"] for p in summary["passes"].values()), "?")
    seed = next((p["seed"] for p in summary["passes"].values()), "?")
    print()
    print(f"Fuzzing the API: schemathesis {version}, seed {seed}")
    print(f"  {'pass':<16}{'requests':>9}{'5xx':>6}{'not problem+json':>18}{'failures':>10}{'errors':>8}{'seconds':>9}")
    totals = [0, 0, 0, 0, 0]
    for name, *numbers, seconds in rows:
        print(f"  {name:<16}{numbers[0]:>9}{numbers[1]:>6}{numbers[2]:>18}{numbers[3]:>10}{numbers[4]:>8}{seconds if seconds is not None else '':>9}")
        totals = [a + b for a, b in zip(totals, numbers)]
    print(f"  {'total':<16}{totals[0]:>9}{totals[1]:>6}{totals[2]:>18}{totals[3]:>10}{totals[4]:>8}")
    print("  (failures: schemathesis check failures, or probes answering an unexpected status;")
    print("   errors: requests that got no answer, e.g. a time-out, or a schemathesis error)")
    summary["totals"] = dict(zip(("requests", "server_errors", "not_problem_json", "failures", "errors"), totals))
    if totals[1] or totals[2] or totals[3] or totals[4]:
        ok = False

    outside = [u for p in summary["passes"].values() for u in p["webhooks_outside_loopback"]]
    if outside:
        ok = False
        print(f"  !! {len(outside)} webhook subscriptions accepted for URLs off this machine: {', '.join(outside[:5])}")
    statuses: Counter = Counter()
    for p in summary["passes"].values():
        statuses.update({int(k): v for k, v in p["statuses"].items()})
    print("  status codes (schemathesis): " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    slowest = sorted((t for p in summary["passes"].values() for t in p["slowest"]), reverse=True)[:3]
    print("  slowest replies: " + "; ".join(f"{ms} ms {method} {path} ({status})" for ms, method, path, status in slowest))
    for name, p in summary["passes"].items():
        for title, items in (("5xx", p["server_errors"]), ("not problem+json", p["not_problem_json"])):
            if items:
                print(f"  {name}: {title} ({len(items)}, first 10):")
                for item in items[:10]:
                    print(f"    {item}")
        if p["failures"]:
            print(f"  {name}: failures per operation:")
            for operation, found in p["failures"].items():
                print(f"    {operation}: {'; '.join(found)}")
        for e in p["errors"]:
            print(f"  {name}: error: {e.get('title')} x{e.get('count', 1)}")
    if summary["probes"]:
        for p in summary["probes"]["not_ok"]:
            print(f"  probe '{p['name']}' ({p['request']}): {p['status']} {p['verdict']} {p['detail']}")
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"  {'OK' if ok else 'NOT OK'}: 5xx {totals[1]}, not problem+json {totals[2]}, failures {totals[3]}, errors {totals[4]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
