"""``attnlab check``: run selected claims at a budget and seed, print a table, save the records.

Paths are checked before the first claim runs. On Ctrl-C the claims finished so far are merged into
``<out>/claims.json`` (and ``--json``) before the command exits 130.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from attnlab.experiments.interrupts import acknowledge_interrupt
from attnlab.experiments.paths import check_out_dir, check_out_file, claims_json, default_out
from attnlab.experiments.progress import progress
from attnlab.proofs_checks.record import Budget, Kind, Status
from attnlab.proofs_checks.registry import select_claims
from attnlab.theory.errors import PathError

__all__ = ["run_checks", "format_table", "read_claims_file", "check_paths"]


def _g(v) -> str:
    return "-" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))


def _tried(r) -> str:
    """Instances tried, with the evaluation cap when one skipped draws (``12 (cap 12, 8 skipped)``)."""
    if r.evaluation_cap is not None and r.instances_capped:
        return f"{r.instances_tried} (cap {r.evaluation_cap}, {r.instances_capped} skipped)"
    return str(r.instances_tried)


def _looseness(r) -> str:
    v = r.details.get("looseness_log10")
    return f"looseness 10^{v:.3g}" if isinstance(v, (int, float)) else f"slack {_g(r.slack)}"


def format_table(records) -> str:
    header = ["claim", "kind", "status", "lhs", "rhs", "slack", "tried", "time_s"]
    rows = [[r.claim_id, r.kind or "-", r.status.value, _g(r.lhs), _g(r.rhs), _g(r.slack), _tried(r),
             f"{r.wall_time_s:.2f}"] for r in records]
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=False)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]) + "\n"


def read_claims_file(path: Path) -> dict[str, dict]:
    """The records of ``<out>/claims.json`` ({} when absent); a corrupt file is a PathError naming it."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PathError(f"{path} is not a readable claims file ({exc}); it holds the records of `attnlab "
                        "check`: move it away or delete it (it is left untouched)") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise PathError(f"{path} is not a claims file (expected a JSON object mapping claim ids to records); "
                        "move it away or delete it (it is left untouched)")
    return data


def check_paths(out: str | None, json_path: str | None) -> tuple[Path, Path | None]:
    """Check ``--out`` (a directory, with a readable claims.json if any) and ``--json`` before any claim runs."""
    out_dir = check_out_dir(default_out(out))
    read_claims_file(claims_json(out_dir))
    return out_dir, (check_out_file(Path(json_path), "--json") if json_path else None)


def _write_json(path: Path, data: dict) -> None:
    """Write through a temporary file and a rename, so an interrupt never leaves half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    os.replace(tmp, path)


def _save(records, out_dir: Path, json_file: Path | None) -> None:
    payload = {r.claim_id: r.to_dict() for r in records}
    out_dir.mkdir(exist_ok=True)
    target = claims_json(out_dir)
    _write_json(target, {**read_claims_file(target), **payload})
    if json_file:
        _write_json(json_file, payload)


def run_checks(selectors, budget: int, seed: int, json_path: str | None, out: str | None,
               allow_inconclusive: bool = False) -> int:
    """Run the claims; exit code 1 if any failed or (unless ``allow_inconclusive``) tested nothing, else 0."""
    claims = select_claims(list(selectors))
    out_dir, json_file = check_paths(out, json_path)
    b = Budget(instances=budget, seed=seed)
    records = []
    try:
        for c in progress(claims, desc="claims", label=lambda claim: claim.id):
            records.append(c.run(b))
    except KeyboardInterrupt:
        acknowledge_interrupt()
        _save(records, out_dir, json_file)
        print(f"attnlab: {len(records)} of {len(claims)} claims finished before the interrupt; their records "
              f"are in {claims_json(out_dir)}", file=sys.stderr)
        raise
    print(format_table(records), end="")
    for r in records:
        if r.status is Status.FAILED:
            print(f"FAILED {r.claim_id}: worst instance {json.dumps(r.worst_instance)[:400]}")
        elif r.status in (Status.NOT_APPLICABLE, Status.INCONCLUSIVE):
            print(f"{r.status} {r.claim_id}: no applicable instance, nothing was tested: {'; '.join(r.reasons)}")
    _save(records, out_dir, json_file)
    reports = [r for r in records if r.kind == Kind.REPORT.value]
    for r in reports:
        if r.status is not Status.FAILED:
            print(f"report {r.claim_id}: {_looseness(r)} (a measurement of a loose bound, not a verified theorem)")
    failed = sum(r.status is Status.FAILED for r in records)
    inconclusive = sum(r.status is Status.INCONCLUSIVE for r in records)
    print(f"{len(records)} claims checked ({len(reports)} of them reports), {failed} failed, {inconclusive} "
          f"inconclusive (budget {budget}, seed {seed})")
    if inconclusive and not allow_inconclusive:
        print("attnlab: an inconclusive claim tested nothing; raise --budget, or pass --allow-inconclusive",
              file=sys.stderr)
    return 1 if failed or (inconclusive and not allow_inconclusive) else 0
