r"""``attnlab report``: one static page (HTML and Markdown) of the claims and the reproduced figures.

Reads only artifacts: ``<out>/claims.json`` (written by ``attnlab check``) and every
``<out>/figures/*/summary.json`` (written by ``attnlab reproduce``). Claims never checked are listed
as ``not run``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from attnlab.experiments.paths import claims_json
from attnlab.proofs_checks.registry import all_claims

__all__ = ["write_report", "load_claim_records"]


def load_claim_records(out: Path) -> dict[str, dict]:
    path = claims_json(out)
    return json.loads(path.read_text()) if path.exists() else {}


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _claim_rows(out: Path) -> list[list[str]]:
    records = load_claim_records(out)
    rows = []
    for c in all_claims():
        r = records.get(c.id, {})
        rows.append([c.id, c.locator, r.get("status", "not run"), _fmt(r.get("lhs")), _fmt(r.get("rhs")),
                     _fmt(r.get("slack")), _fmt(r.get("instances_tried"))])
    return rows


def _figures(out: Path) -> list[dict]:
    return [{**json.loads(p.read_text()), "_dir": p.parent.name} for p in sorted((out / "figures").glob("*/summary.json"))]


def _verdict(agrees) -> str:
    return {True: "agree", False: "DISAGREE", None: "not computed"}[agrees]


def _markdown(out: Path) -> str:
    lines = ["# attnlab report", "", "## Claims", "",
             "| claim | locator | status | lhs | rhs | slack | instances |", "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in _claim_rows(out)]
    lines += ["", "## Figures", ""]
    for s in _figures(out):
        rel = f"figures/{s['_dir']}/figure.png"
        lines += [f"### {s['figure']}: {s['title']}", "", f"Paper locator: {s['locator']}. Scale: {s['scale']}.",
                  "", f"![{s['figure']}]({rel})", "", f"Choices where the paper is silent: {s['choices']}", "",
                  "| quantity | ours | paper | relation | tolerance | verdict | provenance |",
                  "|---|---|---|---|---|---|---|"]
        for q in s["comparisons"]:
            lines.append(f"| {q['quantity']} | {_fmt(q['ours'])} | {_fmt(q['paper'])} | {q['relation']} | "
                         f"{_fmt(q['tolerance'])} | {_verdict(q['agrees'])} | {q['provenance']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _html(out: Path) -> str:
    def table(header, rows):
        h = "".join(f"<th>{html.escape(x)}</th>" for x in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>" for r in rows)
        return f"<table><tr>{h}</tr>{body}</table>"

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>attnlab report</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}img{max-width:100%}</style></head><body>",
             "<h1>attnlab report</h1><h2>Claims</h2>",
             table(["claim", "locator", "status", "lhs", "rhs", "slack", "instances"], _claim_rows(out)),
             "<h2>Figures</h2>"]
    for s in _figures(out):
        parts.append(f"<h3>{html.escape(s['figure'])}: {html.escape(s['title'])}</h3>")
        parts.append(f"<p>Paper locator: {html.escape(s['locator'])}. Scale: {s['scale']}.</p>")
        parts.append(f"<img src='figures/{s['_dir']}/figure.png' alt='{html.escape(s['figure'])}'>")
        parts.append(f"<p>Choices where the paper is silent: {html.escape(s['choices'])}</p>")
        parts.append(table(["quantity", "ours", "paper", "relation", "tolerance", "verdict", "provenance"],
                           [[q["quantity"], _fmt(q["ours"]), _fmt(q["paper"]), q["relation"], _fmt(q["tolerance"]),
                             _verdict(q["agrees"]), q["provenance"]] for q in s["comparisons"]]))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out: Path) -> tuple[Path, Path]:
    """Write ``<out>/report.html`` and ``<out>/report.md``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "report.md", out / "report.html"
    md.write_text(_markdown(out))
    page.write_text(_html(out))
    return page, md
