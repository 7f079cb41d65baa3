r"""Torch samplers of every icl_boolean task, on any device, drawing only from a ``torch.Generator``.

Same laws as :mod:`attnlab.theory.icl_boolean.tasks` (the table there), computed on :math:`\pm1` float
tensors ``(B, N, n)`` with the official label formulas (:math:`\mathrm{sign}(\langle w,x\rangle - (k-1))` and
so on, exact in float32 for these small integers). The random streams differ from numpy's, so equality
with theory/ is tested in law (label balances, forced fractions) and, for a given draw, bit for bit on the
labels and teaching rows (the deterministic parts: :func:`labels_of` and :func:`teaching_rows`).

Returns a :class:`TorchDraw` with ``X``, ``y`` and the drawn weights ``w`` (``(B, n)`` or ``(B, 3, n)`` in
{-1, 0, +1}) plus task extras (``b`` thresholds, ``cid`` forced term, ``teach_len``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from attnlab.theory.errors import InvalidInputError, UnknownIdError
from attnlab.theory.icl_boolean._bits import check_dims
from attnlab.theory.icl_boolean.tasks import FORCE_P, LITERAL_P, NN_START_IDX, TASKS

__all__ = ["TorchDraw", "sample_torch", "labels_of", "teaching_rows", "nearest_neighbour_labels_torch"]

_DISJ = ("disjunction", "sparse_disjunction")


@dataclass
class TorchDraw:
    task: str
    X: torch.Tensor  # (B, N, n) float, +-1
    y: torch.Tensor  # (B, N) float, +-1
    w: torch.Tensor | None = None
    extra: dict = field(default_factory=dict)


def _rand(shape, g):
    return torch.rand(shape, generator=g, device=g.device)


def _pm1(shape, g):
    return torch.randint(0, 2, shape, generator=g, device=g.device).float() * 2 - 1


def _literals(shape, p_pos, p_neg, g):
    u = _rand(shape, g)
    return (u < p_pos).float() - ((u >= p_pos) & (u < p_pos + p_neg)).float()


def _subset(B, n, k, g):
    if k > n:
        raise InvalidInputError(f"this task needs n_dims >= {k}, got {n}")
    idx = _rand((B, n), g).argsort(dim=1)[:, :k]
    return torch.zeros(B, n, device=g.device).scatter_(1, idx, 1.0)


def _sign(v):
    return torch.where(v > 0, 1.0, -1.0)


def labels_of(task: str, X: torch.Tensor, w: torch.Tensor | None, extra: dict) -> torch.Tensor:
    """The official label formulas on +-1 inputs ``X (B, N, n)`` (``nearest_neighbour`` excluded)."""
    if task in ("dnf3", "dnf3_teach", "cnf3"):
        dots = torch.einsum("bin,btn->bit", X, w)
        k = w.abs().sum(-1)[:, None, :]
        if task == "cnf3":
            return _sign(dots + k - 1).min(dim=-1).values
        return _sign(dots - (k - 1)).max(dim=-1).values
    dot = torch.einsum("bin,bn->bi", X, w)
    k = w.abs().sum(-1)[:, None]
    if task in _DISJ:
        return _sign(dot + k - 1)
    if task in ("sparse_majority", "majority", "int_halfspace"):
        return _sign(dot - 0.5)
    if task == "threshold":
        return _sign(dot - extra["b"][:, None])
    if task in ("parity", "sparse_parity"):
        ones = torch.einsum("bin,bn->bi", (X + 1) / 2, w)
        return torch.remainder(ones, 2) * 2 - 1
    return _sign(dot - (k - 1))  # conjunction family


def _force(X, forced, w, value):
    lit = (w != 0)[:, None, :]
    return torch.where(forced[..., None] & lit, value[:, None, :], X)


def teaching_rows(task: str, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Teaching rows ``(B, R, n)`` (+-1) and lengths ``(B,)`` (spec 2.12). Monotone: row r >= 1 clears the
    literal of rank r; general: rows 0, 1 satisfy the literals with the rest -1 / +1, row r >= 2 flips the
    literal of rank r - 1 (positive literals first, then negated, each ascending)."""
    B, n = w.shape[0], w.shape[-1]
    r_idx = torch.arange(n + 2, device=w.device)[None, :, None]
    if task == "conjunction_teach":
        pos, neg = (w > 0).float(), (w < 0).float()
        rank = torch.cumsum(pos, 1) * pos + (pos.sum(1, keepdim=True) + torch.cumsum(neg, 1)) * neg
        sat = torch.where(w != 0, w, -1.0)
        rows = sat[:, None, :] * (1 - 2 * (rank[:, None, :] == r_idx - 1).float())
        rows[:, 1] = torch.where(w != 0, w, 1.0)
        rows[:, 0] = sat
        return rows, (w != 0).sum(1) + 2
    if task == "dnf3_teach":
        blocks = [teaching_rows("mono_conjunction_teach", w[:, t]) for t in range(w.shape[1])]
        lens = torch.stack([L for _, L in blocks], 1)  # (B, T)
        off = torch.cumsum(lens, 1) - lens
        P = sum(r.shape[1] for r, _ in blocks)
        p = torch.arange(P, device=w.device)[None, :]
        t = (p >= off[:, 1:2]).long() + (p >= off[:, 2:3]).long()
        r = (p - torch.gather(off, 1, t)).clamp(0, n)
        stacked = torch.stack([rb for rb, _ in blocks], 1)  # (B, T, n+1, n)
        rows = stacked[torch.arange(B, device=w.device)[:, None], t, r]
        return rows, lens.sum(1)
    lit = (w > 0).float()
    rank = torch.cumsum(lit, 1) * lit
    rows01 = lit[:, None, :] * (rank[:, None, :] != r_idx[:, : n + 1]).float()
    return rows01 * 2 - 1, lit.sum(1).long() + 1


def nearest_neighbour_labels_torch(X, start_idx, g):
    B, N, n = X.shape
    sim = torch.einsum("bin,bjn->bij", X, X)
    earlier = torch.ones(N, N, device=X.device).tril(-1).bool()
    sim = torch.where(earlier[None], sim, torch.tensor(-(n + 1.0), device=X.device))
    nn = sim.argmax(dim=2)  # first maximum = earliest nearest point
    dup = sim.max(dim=2).values == n
    y = _pm1((B, N), g)
    rows = torch.arange(B, device=X.device)
    for i in range(1, N):
        copy = dup[:, i] if i < start_idx else torch.ones(B, dtype=torch.bool, device=X.device)
        y[:, i] = torch.where(copy, y[rows, nn[:, i]], y[:, i])
    return y


def sample_torch(task: str, n_dims: int, n_points: int, batch: int, generator: torch.Generator, *,
                 start_idx: int = NN_START_IDX, teaching: bool = True) -> TorchDraw:
    """Draw a batch of ``task`` prompts with ``generator`` (its device is the output device)."""
    if task not in TASKS:
        raise UnknownIdError("task", task, list(TASKS))
    n, B, N, g = check_dims(n_dims), int(batch), int(n_points), generator
    X = _pm1((B, N, n), g)
    extra: dict = {}
    if task == "nearest_neighbour":
        return TorchDraw(task, X, nearest_neighbour_labels_torch(X, start_idx, g), None, {"start_idx": start_idx})
    if task in ("dnf3", "cnf3", "dnf3_teach"):
        w = _literals((B, 3, n), *LITERAL_P[task], g)
        cid = torch.randint(0, 3, (B,), generator=g, device=g.device)
        wc = w[torch.arange(B, device=g.device), cid]
        forced = _rand((B, N), g) < FORCE_P[task]
        X = _force(X, forced, wc, -wc if task == "cnf3" else wc)
        extra["cid"] = cid
    elif task in FORCE_P:
        w = _subset(B, n, 4, g) if task == "sparse_disjunction" else _literals((B, n), *LITERAL_P[task], g)
        forced = _rand((B, N), g) < FORCE_P[task]
        X = _force(X, forced, w, -w if task in _DISJ else w)
    elif task == "sparse_majority":
        w = (_rand((B, n), g) < 0.3).float()
    elif task == "majority":
        w = _pm1((B, n), g)
    elif task == "threshold":
        w = _literals((B, n), *LITERAL_P[task], g)
        extra["b"] = torch.randint(-3, 3, (B,), generator=g, device=g.device).float() + 0.5
    elif task == "int_halfspace":
        w = torch.randint(-3, 4, (B, n), generator=g, device=g.device).float()
    else:  # parity, sparse_parity
        w = _subset(B, n, 2, g) if task == "sparse_parity" else (_rand((B, n), g) < 0.5).float()
    if task.endswith("_teach") and teaching:
        rows, L = teaching_rows(task, w)
        R = min(rows.shape[1], N)
        keep = torch.arange(R, device=g.device)[None, :] < L[:, None]
        X = X.clone()
        X[:, :R] = torch.where(keep[..., None], rows[:, :R], X[:, :R])
        extra["teach_len"] = L
    return TorchDraw(task, X, labels_of(task, X, w, extra), w, extra)
