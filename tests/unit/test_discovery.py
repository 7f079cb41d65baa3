"""Papers, claims and figures are found by walking the packages; a broken module fails loudly, naming itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from attnlab.experiments.figures import all_figures, figure_module
from attnlab.proofs_checks.papers import all_papers
from attnlab.proofs_checks.registry import all_claims

# A stand-in paper package placed on attnlab.proofs_checks.__path__ in a fresh interpreter, then the CLI.
_SCRIPT = """
import sys, pathlib
import attnlab.proofs_checks as pc
root = pathlib.Path(sys.argv[1])
pc.__path__.append(str(root))
from attnlab.experiments.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _fake_paper(tmp_path, key: str, claims_module: str | None) -> None:
    pkg = tmp_path / key
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(f"""
        from attnlab.proofs_checks.papers import Paper
        PAPER = Paper(key={key!r}, title="A stand-in paper", arxiv="0000.00000", locator_base="none")
    """))
    if claims_module is not None:
        (pkg / "claims.py").write_text(textwrap.dedent(claims_module))


def _cli(tmp_path, *args):
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path), *args], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    return proc.returncode, proc.stdout, proc.stderr


def test_a_claims_module_that_fails_to_import_is_an_error_naming_it(tmp_path):
    _fake_paper(tmp_path, "brokenpaper", "import no_such_module_anywhere\n")
    code, _out, err = _cli(tmp_path, "list")
    assert code == 1
    assert "attnlab.proofs_checks.brokenpaper.claims failed to import" in err
    assert "no_such_module_anywhere" in err and "Traceback" not in err


def test_a_declared_paper_without_claims_says_so(tmp_path):
    _fake_paper(tmp_path, "emptypaper", None)
    code, out, _err = _cli(tmp_path, "list")
    assert code == 0 and "emptypaper" in out
    code, _out, err = _cli(tmp_path, "check", "emptypaper")
    assert code == 2 and "paper 'emptypaper' is declared but has no claims yet" in err


def test_a_new_paper_folder_registers_its_claims_with_no_other_edit(tmp_path):
    _fake_paper(tmp_path, "newpaper", """
        from attnlab.proofs_checks.record import Status
        from attnlab.proofs_checks.registry import Outcome, claim

        @claim("newpaper/one-is-one", locator="none", statement="1 = 1", kind="symbolic", negative="1 = 2")
        def one_is_one(budget, mutant):
            ok = (1 == (2 if mutant else 1))
            return Outcome(status=Status.PROVED_SYMBOLIC if ok else Status.FAILED, lhs=0.0, rhs=0.0,
                           instances_tried=1, instances_applicable=1)
    """)
    code, out, _err = _cli(tmp_path, "list")
    assert code == 0 and "newpaper/one-is-one" in out


def test_every_paper_on_main_is_discovered_with_its_claims_and_figures():
    papers = all_papers()
    assert {"softmax_icl", "tf_svm"} <= set(papers)
    for key in ("softmax_icl", "tf_svm"):
        assert any(c.paper == key for c in all_claims())
        assert any(f.paper == key for f in all_figures())


def test_each_figure_lives_in_the_module_named_after_its_slug():
    for fig in all_figures():
        assert fig.run.__module__ == figure_module(fig.id)
