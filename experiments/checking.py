"""``attnlab check``: run selected claims at a budget and seed, print a table, save the records."""

from __future__ import annotations

import json
from pathlib import Path

from attnlab.experiments.paths import claims_json, default_out
from attnlab.experiments.progress import progress
from attnlab.proofs_checks.record import Budget, Status
from attnlab.proofs_checks.registry import select_claims

__all__ = ["run_checks", "format_table"]


def _g(v) -> str:
    return "-" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))


def format_table(records) -> str:
    header = ["claim", "status", "lhs", "rhs", "slack", "tried", "time_s"]
    rows = [[r.claim_id, r.status.value, _g(r.lhs), _g(r.rhs), _g(r.slack), str(r.instances_tried),
             f"{r.wall_time_s:.2f}"] for r in records]
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=False)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]) + "\n"


def run_checks(selectors, budget: int, seed: int, json_path: str | None, out: str | None) -> int:
    """Run the claims; exit code 1 if any failed, else 0."""
    claims = select_claims(list(selectors))
    b = Budget(instances=budget, seed=seed)
    records = []
    for c in progress(claims, desc="claims"):
        records.append(c.run(b))
    print(format_table(records), end="")
    for r in records:
        if r.status is Status.FAILED:
            print(f"FAILED {r.claim_id}: worst instance {json.dumps(r.worst_instance)[:400]}")
        elif r.status is Status.NOT_APPLICABLE:
            print(f"not-applicable {r.claim_id}: {'; '.join(r.reasons)}")
    payload = {r.claim_id: r.to_dict() for r in records}
    target = claims_json(default_out(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    merged = json.loads(target.read_text()) if target.exists() else {}
    merged.update(payload)
    target.write_text(json.dumps(merged, indent=2, sort_keys=True))
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(payload, indent=2, sort_keys=True))
    failed = sum(r.status is Status.FAILED for r in records)
    print(f"{len(records)} claims checked, {failed} failed (budget {budget}, seed {seed})")
    return 1 if failed else 0
