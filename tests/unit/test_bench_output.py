"""``attnlab bench`` marks extrapolated times and explains a ratio below 1 (issue 8, item 8)."""

from __future__ import annotations

from attnlab.experiments.bench import format_result

SCALED = {"baseline_s": 375.0, "ours_s": 25.0, "ratio": 15.0, "baseline_measured_s": 25.0,
          "baseline_scaled_from": "10 of 150 instances, scaled linearly", "baseline": "b", "ours": "o"}


def test_a_scaled_baseline_is_marked_with_what_was_measured():
    text = format_result("x/scaled", SCALED)
    assert "baseline 375.000s*" in text and "ours 25.000s " in text
    assert "measured baseline 25.000s on 10 of 150 instances, scaled linearly" in text


def test_a_measured_result_carries_no_mark_and_no_explanation():
    text = format_result("x/plain", {"baseline_s": 2.0, "ours_s": 1.0, "ratio": 2.0})
    assert "*" not in text and "below 1" not in text


def test_a_ratio_below_one_is_explained_by_the_note_and_the_load():
    res = {"baseline_s": 0.6, "ours_s": 1.0, "ratio": 0.6, "note": "torch ran 2 threads", "load_average": 6.0,
           "cpus": 2}
    text = format_result("x/slow", res)
    assert "ratio below 1" in text and "torch ran 2 threads" in text and "load average 6.0 on 2 CPUs" in text


def test_a_ratio_below_one_without_a_known_reason_says_so():
    text = format_result("x/slow", {"baseline_s": 0.6, "ours_s": 1.0, "ratio": 0.6, "load_average": 0.1, "cpus": 2})
    assert "recorded no reason" in text


def test_the_looped_step_benchmark_states_the_ratio_its_flops_allow():
    from attnlab.experiments.algoformer.bench import _flop_note, work_units

    assert work_units(30, 12, 0) == (90, 36)  # every loop with its backward
    assert work_units(30, 12, 15) == (60, 36)  # Yang's window: 15 forward-only loops + 15 with backward
    assert work_units(7, 5, 9) == (21, 15)  # a window longer than the loops is all loops
    assert "0.60x" in _flop_note(30, 12, 15) and "0.40x" in _flop_note(30, 12, 0)
