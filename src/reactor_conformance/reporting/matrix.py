"""``conformance.md``: the requirement × status table of one run, and the side-by-side matrix of several."""

from __future__ import annotations

from urllib.parse import urlsplit

from .summary import judged_line

ICONS = {"passed": "✅ passed", "failed": "❌ failed", "not_run": "⏸ not run", "info": "ℹ info"}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _detail(record: dict) -> str:
    """A failure as one sentence (what, expected, observed, and who produced the answer when it was not the
    server); a reason for not run; otherwise what was observed (INFO, or a MUST that allows two behaviours)."""
    if record["status"] in ("info", "passed"):
        return "; ".join(record.get("observations", ()))
    return failure_sentence(record["message"])


OBSERVED_SHOWN = 240  # characters of what was observed a sentence keeps: a long body is cut after the request


def failure_sentence(message: str) -> str:
    """A failed check's ``[ID] what`` / ``expected: …`` / ``observed: …`` / ``note: …`` / ``exchange:`` lines as
    ``METHOD /path — what: expected …, observed … (note)``: the request first, which is what a mock's author must
    add or fix, then what was expected and what came, cut when long. Any other message's first line as it is."""
    first = message.split("\n\n[", 1)[0]  # checks judged together: the first one leads
    lines = first.splitlines()
    if not lines:
        return ""
    parts, request = {}, ""
    for index, line in enumerate(lines[1:], start=1):
        key, _, value = line.strip().partition(": ")
        if key in ("expected", "observed", "note") and key not in parts and line.startswith("  ") \
                and not line.startswith("    "):
            parts[key] = value
        elif line == "  exchange:" and index + 1 < len(lines):
            request = _request(lines[index + 1])
    if "expected" not in parts:
        return lines[0]
    what = lines[0].split("] ", 1)[-1] if lines[0].startswith("[") else lines[0]
    observed = parts.get("observed", "")
    if len(observed) > OBSERVED_SHOWN:
        observed = observed[:OBSERVED_SHOWN] + "…"
    sentence = f"{request + ' — ' if request else ''}{what}: expected {parts['expected']}, observed {observed}"
    return sentence + (f" ({parts['note']})" if "note" in parts else "")


def _request(exchange_line: str) -> str:
    """``    GET http://host/path?q as owner`` → ``GET /path?q``."""
    method, _, rest = exchange_line.strip().partition(" ")
    url = rest.rsplit(" as ", 1)[0]
    return request_line(method, url) if urlsplit(url).scheme else ""


def request_line(method: str, url: str) -> str:
    """``GET /path?q``: a request as a report names it, without scheme and host."""
    parts = urlsplit(url)
    return f"{method} {parts.path or '/'}{'?' + parts.query if parts.query else ''}"


def target_name(summary: dict) -> str:
    """What a run was aimed at, for headings: a base URL, or the embedded reference server (whose loopback address
    was the run's alone and says nothing), with its faults and variants."""
    target = summary["target"]
    if not target.get("embedded"):
        return target["base_url"]
    changed = [f"fault {name}" for name in target.get("faults", ())]
    changed += [f"variant {name}" for name in target.get("variants", ())]
    return "the embedded reference server" + (f" ({', '.join(changed)})" if changed else "")


def conformance_markdown(summary: dict) -> str:
    """What failed first — each failure's request, expected and observed, and the curl line that repeats it — then
    every requirement in catalog order."""
    totals = summary["totals"]
    failed = [(rid, record) for rid, record in summary["requirements"].items() if record["status"] == "failed"]
    lines = [f"# Conformance of {target_name(summary)}", "",
             f"Run `{summary['run_id']}` · suite {summary['suite_version']} · level {summary['level']} · "
             f"fuzz seed {summary['fuzz'].get('seed')} · target {summary['target']['base_url']}", "",
             f"{totals['passed']} passed · {totals['failed']} failed · {totals['not_run']} not run · "
             f"{totals['info']} info", "", f"**{judged_line(summary)}**", ""]
    if summary.get("blocked"):
        lines += ["MUST requirements the target left not run (they fail the run):", ""]
        lines += [f"- {blocked['requirement']}: {_cell(failure_sentence(blocked['reason']))}"
                  for blocked in summary["blocked"]] + [""]
    if failed:
        lines += [f"## Failed ({len(failed)})", ""]
        for rid, record in failed:
            lines += [f"### {rid} ({record['level']}) {record['title']}", "", failure_sentence(record["message"]), ""]
            curl = curl_line(record["message"])
            lines += ["```sh", curl, "```", ""] if curl else []
    lines += ["## Every requirement", "", "| ID | level | status | requirement | detail |", "|---|---|---|---|---|"]
    for rid, record in summary["requirements"].items():
        lines.append(f"| {rid} | {record['level']} | {ICONS[record['status']]} | {_cell(record['title'])} | "
                     f"{_cell(_detail(record))} |")
    return "\n".join(lines) + "\n"


def curl_line(message: str) -> str:
    """The curl line of a failed check's message (its ``reproduce:`` line), or empty."""
    lines = message.split("\n\n[", 1)[0].splitlines()
    for index, line in enumerate(lines[:-1]):
        if line.strip() == "reproduce:":
            return lines[index + 1].strip()
    return ""


def _column(summary: dict) -> str:
    return f"{target_name(summary)} ({summary['run_id']})"


def compare_json(summaries: list[dict]) -> dict:
    ids = list(dict.fromkeys(rid for s in summaries for rid in s["requirements"]))
    return {"runs": [_column(s) for s in summaries],
            "requirements": {rid: [s["requirements"].get(rid, {}).get("status", "absent") for s in summaries]
                             for rid in ids}}


def compare_markdown(summaries: list[dict]) -> str:
    data = compare_json(summaries)
    lines = ["# Conformance side by side", "",
             "| ID | " + " | ".join(_cell(c) for c in data["runs"]) + " |",
             "|---|" + "---|" * len(data["runs"])]
    for rid, statuses in data["requirements"].items():
        lines.append(f"| {rid} | " + " | ".join(ICONS.get(s, s).split()[0] for s in statuses) + " |")
    counts = [sum(1 for statuses in data["requirements"].values() if statuses[i] == "passed")
              for i in range(len(data["runs"]))]
    lines += ["", "passed per column: " + ", ".join(map(str, counts))]
    return "\n".join(lines) + "\n"
