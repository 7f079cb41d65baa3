"""softmax_icl training figures on the training layer: checkpoints (ATTNLAB_CHECKPOINTS) never change rows."""

from __future__ import annotations

from attnlab.experiments.softmax_icl import fig4_linear_baseline as fig4

CFG = fig4.Config(N=5, d=3, steps=6, batch_size=7, eval_every=2, n_eval=11, n_grid=13)


def test_a_run_with_checkpoints_gives_the_rows_of_a_run_without_and_a_rerun_resumes(tmp_path, monkeypatch):
    plain = fig4.run(CFG, 0)
    monkeypatch.setenv("ATTNLAB_CHECKPOINTS", str(tmp_path))
    first = fig4.run(CFG, 0)
    saved = list(tmp_path.glob("icl-*.pt"))
    assert first == plain and len(saved) == 1
    assert fig4.run(CFG, 0) == plain  # served from the finished checkpoint
    assert fig4.run(CFG, 1) != plain and len(list(tmp_path.glob("icl-*.pt"))) == 2  # another seed, another file
