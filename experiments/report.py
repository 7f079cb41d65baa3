r"""``attnlab report``: one static page (HTML and Markdown) of the claims and the reproduced figures.

Reads only artifacts: ``<out>/claims.json`` (written by ``attnlab check``) and every
``<out>/figures/*/summary.json`` (written by ``attnlab reproduce``). Claims never checked are listed as
``not run``. The page opens with a summary (claims held, failed, inconclusive, not run; figures that agree
or disagree with the paper) and a table of contents; every number carries where it came from (version,
commit, date, seed, budget), every claim its tolerance and units, and a disagreement is highlighted.
Both renderings are built from one :class:`_Page`, so they cannot drift apart.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from attnlab.experiments.checking import read_claims_file
from attnlab.experiments.paths import claims_json
from attnlab.experiments.run_info import run_info
from attnlab.proofs_checks.record import Kind
from attnlab.proofs_checks.registry import all_claims
from attnlab.theory.errors import PathError

__all__ = ["write_report", "load_claim_records", "read_figure_summaries", "check_report_inputs"]

_HELD = {"proved-symbolic", "certified", "empirical-holds"}
_CLAIM_HEADER = ["claim", "locator", "status", "lhs", "rhs", "slack", "tolerance", "units", "instances",
                 "seed", "budget", "version / date"]
_FIGURE_HEADER = ["quantity", "ours", "paper", "relation", "tolerance", "verdict", "expected at this scale",
                  "provenance", "source"]


def load_claim_records(out: Path) -> dict[str, dict]:
    """The stored claim records, or ``{}``; a corrupt file is a :class:`PathError` naming it."""
    return read_claims_file(claims_json(out))


def read_figure_summaries(out: Path) -> list[tuple[Path, dict]]:
    """Every ``<out>/figures/*/summary.json`` with its content; a corrupt one is a :class:`PathError` naming it."""
    found = []
    for path in sorted((out / "figures").glob("*/summary.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PathError(f"{path} is not a readable figure summary ({exc}); rerun reproduce for that "
                            "figure or delete its folder") from None
        if not isinstance(data, dict) or "figure" not in data:
            raise PathError(f"{path} is not a figure summary (no 'figure' field); rerun reproduce for that "
                            "figure or delete its folder")
        found.append((path, data))
    return found


def check_report_inputs(out: Path) -> None:
    """Before any work: every artifact the report reads parses (claims.json and each summary.json)."""
    load_claim_records(out)
    read_figure_summaries(out)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _tolerance(tol: dict) -> str:
    if not tol:
        return "-"
    parts = [tol.get("policy", "")]
    parts += [f"{k} {_fmt(tol[k])}" for k in ("rtol", "atol", "allowance") if k in tol]
    return ", ".join(p for p in parts if p)


def _expected(q: dict) -> str:
    exp = q.get("expected", "agree")
    return f"{exp}: {q['expected_why']}" if q.get("expected_why") and exp == "disagree" else exp


def _verdict(agrees) -> str:
    return {True: "agree", False: "DISAGREE", None: "not computed"}[agrees]


@dataclass
class _Section:
    anchor: str
    title: str
    intro: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    highlight: list[bool] = field(default_factory=list)  # per row: a failure or a disagreement
    image: str = ""


@dataclass
class _Page:
    meta: list[str]
    summary: list[str]
    sections: list[_Section]


def _claims_section(records: dict[str, dict]) -> tuple[_Section, Counter]:
    sec = _Section("claims", "Claims", header=_CLAIM_HEADER)
    counts: Counter = Counter()
    for c in all_claims():
        r = records.get(c.id, {})
        status = r.get("status", "not run")
        if c.kind is Kind.REPORT and status in _HELD:
            counts["report"] += 1
            status = f"report: {status}"
        else:
            counts["held" if status in _HELD else status] += 1
        when = f"{r.get('version', '-')} / {r.get('date', '-')}" if r else "-"
        sec.rows.append([c.id, c.locator, status, _fmt(r.get("lhs")), _fmt(r.get("rhs")), _fmt(r.get("slack")),
                         _tolerance(r.get("tolerance", {})), c.units or "as stated",
                         f"{_fmt(r.get('instances_applicable'))} of {_fmt(r.get('instances_tried'))}" if r else "-",
                         _fmt(r.get("seed")), _fmt(r.get("budget")), when])
        sec.highlight.append(status in ("failed", "inconclusive"))
    sec.intro.append("lhs <= rhs is the claim at the worst instance found; slack = rhs - lhs (>= 0 holds, and "
                     "within the tolerance's allowance is rounding). Instances: applicable of tried.")
    return sec, counts


def _figure_sections(out: Path) -> tuple[list[_Section], Counter]:
    sections, counts = [], Counter()
    for path, s in read_figure_summaries(out):
        variant = s.get("variant") or ""
        sec = _Section(f"fig-{path.parent.name}", f"{s['figure']}{f' [{variant}]' if variant else ''}: {s['title']}",
                       header=_FIGURE_HEADER, image=f"figures/{path.parent.name}/figure.png")
        overrides = ", ".join(f"{k}={v}" for k, v in sorted(s.get("overrides", {}).items())) or "none"
        sec.intro += [f"Paper locator: {s['locator']}.",
                      f"Scale {s['scale']}; overrides: {overrides}; seeds {_fmt(s.get('seeds', '-'))}; "
                      f"attnlab {s.get('version', '-')} ({s.get('commit', 'unknown')}), {s.get('date', '-')}.",
                      f"Choices where the paper is silent: {s.get('choices') or '-'}"]
        for q in s.get("comparisons", []):
            sec.rows.append([q["quantity"], _fmt(q["ours"]), _fmt(q["paper"]), q["relation"], _fmt(q["tolerance"]),
                             q.get("verdict", _verdict(q["agrees"])), _expected(q), _fmt(q.get("provenance")),
                             q.get("source", "")])
            sec.highlight.append(q["agrees"] is False)
            counts["not judged" if q.get("verdict", "").startswith("not judged") else _verdict(q["agrees"])] += 1
            if q["agrees"] is False and q.get("expected") != "disagree":
                counts["unexpected"] += 1
        sections.append(sec)
    return sections, counts


def _page(out: Path) -> _Page:
    claims, cc = _claims_section(load_claim_records(out))
    figures, fc = _figure_sections(out)
    info = run_info()
    meta = [f"Written {info['date']} by attnlab {info['version']} (commit {info['commit']}) from {out}."]
    summary = [f"Claims: {cc['held']} held, {cc['failed']} failed, {cc['inconclusive']} inconclusive, "
               f"{cc['not run']} not run, {cc['report']} reports (loose bounds measured, not counted as held) "
               f"(of {sum(cc.values())}).",
               f"Figures: {len(figures)} reproduced; paper comparisons: {fc['agree']} agree, {fc['DISAGREE']} disagree "
               f"({fc['unexpected']} not expected at their scale), "
               f"{fc['not computed']} not computed, {fc['not judged']} shown without a verdict."]
    return _Page(meta, summary, [claims, *figures])


def _markdown(page: _Page) -> str:
    def cell(x: str) -> str:
        return " ".join(str(x).split()).replace("|", "\\|")

    lines = ["# attnlab report", "", *page.meta, "", "## Summary", "", *[f"* {s}" for s in page.summary], "",
             "## Contents", "", *[f"* [{s.title}](#{s.anchor})" for s in page.sections], ""]
    for s in page.sections:
        lines += [f'<a id="{s.anchor}"></a>', "", f"## {s.title}", "", *[f"{t}  " for t in s.intro], ""]
        if s.image:
            lines += [f"![{s.title}]({s.image})", ""]
        if s.rows:
            lines += ["| " + " | ".join(s.header) + " |", "|" + "---|" * len(s.header)]
            for row, hot in zip(s.rows, s.highlight, strict=True):
                cells = [cell(x) for x in row]
                if hot:
                    cells = [f"**{x}**" if x else x for x in cells]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines) + "\n"


def _html(page: _Page) -> str:
    esc = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>attnlab report</title>",
             "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}img{max-width:100%}"
             "tr.hot td{background:#fde0e0;font-weight:bold}.summary{background:#f4f4f4;padding:6px 12px}</style>"
             "</head><body>", "<h1>attnlab report</h1>", *[f"<p>{esc(m)}</p>" for m in page.meta],
             "<div class='summary'><h2>Summary</h2><ul>", *[f"<li>{esc(s)}</li>" for s in page.summary], "</ul></div>",
             "<h2>Contents</h2><ul>", *[f"<li><a href='#{esc(s.anchor)}'>{esc(s.title)}</a></li>" for s in page.sections],
             "</ul>"]
    for s in page.sections:
        parts.append(f"<h2 id='{esc(s.anchor)}'>{esc(s.title)}</h2>")
        parts += [f"<p>{esc(t)}</p>" for t in s.intro]
        if s.image:
            parts.append(f"<img src='{esc(s.image)}' alt='{esc(s.title)}'>")
        if s.rows:
            head = "".join(f"<th>{esc(h)}</th>" for h in s.header)
            body = "".join(f"<tr{' class=hot' if hot else ''}>" + "".join(f"<td>{esc(str(x))}</td>" for x in row)
                           + "</tr>" for row, hot in zip(s.rows, s.highlight, strict=True))
            parts.append(f"<table><tr>{head}</tr>{body}</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(out: Path) -> tuple[Path, Path]:
    """Write ``<out>/report.html`` and ``<out>/report.md``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    page = _page(out)
    md, html_path = out / "report.md", out / "report.html"
    md.write_text(_markdown(page))
    html_path.write_text(_html(page))
    return html_path, md
