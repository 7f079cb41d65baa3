r"""One selector language for claims and figures: a paper key, ``all``, an id, or a shell-style glob.

Globs use :func:`fnmatch.fnmatchcase` anywhere in the pattern (``*lipschitz*``, ``tf_svm/wmm-*-rotation``,
``softmax_icl/lipschitz-?``). A selector that matches nothing raises
:class:`~attnlab.theory.errors.UnknownIdError`, which lists the papers and ids that exist and says which
patterns work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from attnlab.theory.errors import UnknownIdError, UserError

__all__ = ["select_ids", "EmptyPaperError", "PATTERN_HELP"]

PATTERN_HELP = "a paper key, 'all', an id, or a shell-style glob such as '*lipschitz*' or 'tf_svm/wmm-*'"


class EmptyPaperError(UserError):
    """A paper key that is declared but has nothing of the asked kind (no claims, or no figures)."""


def select_ids(selectors: Sequence[str], ids: Iterable[str], papers: Iterable[str], kind: str) -> list[str]:
    """The ids matched by ``selectors`` in ``ids`` order, each once; an empty ``selectors`` means all.

    Args:
        selectors: what the user typed.
        ids: every id of this kind (``<paper>/<name>``), in display order.
        papers: every paper key (a key selects its ids).
        kind: ``"claim"`` or ``"figure"``, for the error message.
    """
    ids, papers = list(ids), list(papers)
    if not selectors:
        return ids
    chosen: list[str] = []
    for sel in selectors:
        if sel == "all":
            hits = ids
        elif sel in papers:
            hits = [i for i in ids if i.split("/", 1)[0] == sel]
            if not hits:
                raise EmptyPaperError(f"paper {sel!r} is declared but has no {kind}s yet")
        else:
            hits = [i for i in ids if fnmatchcase(i, sel)]
        if not hits:
            raise UnknownIdError(f"{kind} selector", sel, ["all", *papers, *ids],
                                 note=f"a selector is {PATTERN_HELP}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen
