r"""The mutation operators: each turns one AST node of a source file into a small wrong variant.

A :class:`Mutant` is a source-text edit (replace the byte span of one node by new text), so the rest of the
file, comments included, is untouched. Its ``id`` is ``<qualname>:<operator>:<k>``, where ``k`` counts the
mutants of that operator inside that function, so ids stay stable when unrelated code moves.

Operators (``name``: what it plants):

* ``arith``: ``+ <-> -``, ``* <-> /``, ``@ -> *``, ``** -> *``, ``// -> /``.
* ``aug``: the same swaps for augmented assignments (``+= <-> -=``, ...).
* ``drop_right`` / ``drop_left``: a dropped term of a sum, ``a + b -> a`` / ``a - b -> -b``.
* ``compare``: ``< <-> <=``, ``> <-> >=``, ``== <-> !=``, ``is <-> is not``, ``in <-> not in``.
* ``boolop``: ``and <-> or``; ``not_drop``: ``not x -> x``.
* ``const``: ``0 -> 1``, ``1 -> 2``, other numbers ``x -> -x``, ``True <-> False``.
* ``neg_drop``: ``-x -> x`` (sign flip of a unary minus).
* ``transpose_drop``: ``x.T -> x``.
* ``axis``: ``axis=0 <-> axis=1``, ``axis=-1 -> 0``, ``axis=None -> 0``.
* ``swap_args``: the first two positional arguments of a call swapped.
* ``minmax``: ``max <-> min``, ``argmax <-> argmin``, ``any <-> all``, ``maximum <-> minimum``.
* ``return_none``: ``return <expr> -> return None``.

Not mutated: docstrings and other string constants, annotations, ``__all__``, f-strings, the arguments of a
``raise`` (messages), ``if __name__ == "__main__"`` blocks, constants in ``TYPE_CHECKING`` guards, and the
``frozen=`` flag of ``@dataclass(...)``. Un-freezing a dataclass changes behaviour only where code assigns to a
field (an error today, so no such code exists) or hashes an instance (``eq=True`` without ``frozen`` sets
``__hash__ = None``); every such mutant measured on the first modules survived and was classified equivalent by
hand, at the cost of a full test run each (about a minute on the shared machine), so it is no longer planted.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["Mutant", "mutants_of"]

_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.MatMult: ast.Mult, ast.Pow: ast.Mult, ast.FloorDiv: ast.Div}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_MINMAX = {"max": "min", "min": "max", "argmax": "argmin", "argmin": "argmax", "any": "all", "all": "any",
           "maximum": "minimum", "minimum": "maximum", "nanmax": "nanmin", "nanmin": "nanmax"}


@dataclass(frozen=True)
class Mutant:
    """One planted bug: replace ``source[start:end]`` (character offsets) by ``text``."""

    id: str
    operator: str
    line: int
    start: int
    end: int
    original: str
    text: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.text + source[self.end :]

    @property
    def description(self) -> str:
        return f"line {self.line}: `{_short(self.original)}` -> `{_short(self.text)}`"


def _short(text: str, width: int = 70) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 3] + "..."


class _Offsets:
    """Character offset of an AST (line, byte column) position."""

    def __init__(self, source: str):
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, lineno: int, col_bytes: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col_bytes].decode("utf-8"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self(node.lineno, node.col_offset), self(node.end_lineno, node.end_col_offset)


def _is_docstring(parent: ast.AST, node: ast.AST) -> bool:
    return isinstance(parent, ast.Expr) and isinstance(node, ast.Constant) and isinstance(node.value, str)


def _skipped_subtrees(tree: ast.Module) -> set[int]:
    """ids of nodes whose whole subtree is not mutated."""
    skip: set[int] = set()

    def mark(node):
        for sub in ast.walk(node):
            skip.add(id(sub))

    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            mark(node)
        elif isinstance(node, ast.JoinedStr):
            mark(node)
        elif isinstance(node, ast.arg) and node.annotation is not None:
            mark(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            mark(node.returns)
        elif isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            mark(node)
        elif isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            mark(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            mark(node)
        elif isinstance(node, ast.ClassDef):
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and ast.unparse(deco.func).split(".")[-1] == "dataclass":
                    for kw in deco.keywords:
                        if kw.arg == "frozen":
                            mark(kw)
    return skip


def _paren(expr: ast.AST) -> str:
    return "(" + ast.unparse(expr) + ")"


def _const_variants(value) -> list:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == 0:
            return [type(value)(1)]
        if value == 1:
            return [type(value)(2)]
        return [-value]
    return []


def _candidates(node: ast.AST, parent: ast.AST | None):
    """Yield ``(operator, replacement node or text)`` for one node."""
    if isinstance(node, ast.BinOp):
        swap = _ARITH.get(type(node.op))
        if swap is not None:
            yield "arith", ast.BinOp(left=node.left, op=swap(), right=node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            yield "drop_right", node.left
            yield "drop_left", node.right if isinstance(node.op, ast.Add) else ast.UnaryOp(op=ast.USub(), operand=node.right)
    elif isinstance(node, ast.AugAssign):
        swap = _ARITH.get(type(node.op))
        if swap is not None:
            yield "aug", ast.AugAssign(target=node.target, op=swap(), value=node.value)
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swap = _COMPARE.get(type(op))
            if swap is not None:
                ops = list(node.ops)
                ops[i] = swap()
                yield "compare", ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolop", ast.BoolOp(op=other, values=node.values)
    elif isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            yield "neg_drop", node.operand
        elif isinstance(node.op, ast.Not):
            yield "not_drop", node.operand
    elif isinstance(node, ast.Constant):
        if isinstance(parent, ast.keyword) and parent.arg == "axis":
            return  # handled as ``axis``
        for v in _const_variants(node.value):
            yield "const", ast.Constant(value=v)
    elif isinstance(node, ast.Attribute):
        if node.attr == "T" and isinstance(node.ctx, ast.Load):
            yield "transpose_drop", node.value
        elif node.attr in _MINMAX and isinstance(parent, ast.Call) and parent.func is node:
            yield "minmax", ast.Attribute(value=node.value, attr=_MINMAX[node.attr], ctx=node.ctx)
    elif isinstance(node, ast.Name):
        if node.id in _MINMAX and isinstance(parent, ast.Call) and parent.func is node:
            yield "minmax", ast.Name(id=_MINMAX[node.id], ctx=node.ctx)
    elif isinstance(node, ast.keyword):
        if node.arg == "axis":
            v = node.value
            if isinstance(v, ast.Constant):
                new = {0: 1, 1: 0, None: 0}.get(v.value)
                if new is not None:
                    yield "axis", ast.keyword(arg="axis", value=ast.Constant(value=new))
            elif isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
                yield "axis", ast.keyword(arg="axis", value=ast.Constant(value=0))
    elif isinstance(node, ast.Call):
        pos = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(pos) >= 2 and len(pos) == len(node.args) and ast.dump(pos[0]) != ast.dump(pos[1]):
            args = [pos[1], pos[0], *pos[2:]]
            yield "swap_args", ast.Call(func=node.func, args=args, keywords=node.keywords)
    elif isinstance(node, ast.Return):
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return_none", "return None"


def _render(node: ast.AST, new) -> str:
    if isinstance(new, str):
        return new
    if isinstance(node, (ast.AugAssign, ast.keyword)):
        return ast.unparse(new)
    return _paren(new)


def mutants_of(source: str) -> list[Mutant]:
    """Every mutant of a module's source, in source order, deduplicated by mutated text."""
    tree = ast.parse(source)
    offsets = _Offsets(source)
    skip = _skipped_subtrees(tree)
    original_dump = ast.dump(tree)
    out: list[Mutant] = []
    seen: set[str] = set()
    counters: dict[tuple[str, str], int] = {}

    def visit(node: ast.AST, parent: ast.AST | None, qual: str):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qual = f"{qual}.{node.name}" if qual != "<module>" else node.name
        if id(node) not in skip and not _is_docstring(parent, node) and hasattr(node, "lineno"):
            for op, new in _candidates(node, parent):
                start, end = offsets.span(node)
                text = _render(node, new)
                mutated = source[:start] + text + source[end:]
                try:
                    changed = ast.dump(ast.parse(mutated)) != original_dump
                except SyntaxError:
                    continue
                if not changed or mutated in seen:
                    continue
                seen.add(mutated)
                k = counters.get((qual, op), 0)
                counters[(qual, op)] = k + 1
                out.append(Mutant(id=f"{qual}:{op}:{k}", operator=op, line=node.lineno, start=start, end=end,
                                  original=source[start:end], text=text))
        for child in ast.iter_child_nodes(node):
            visit(child, node, qual)

    visit(tree, None, "<module>")
    return out
