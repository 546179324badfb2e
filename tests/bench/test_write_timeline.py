"""The write bench's timeline (bench/write_timeline.py) reads the phases of a group commit from
the times its wrappers note: worked examples of two groups, in milliseconds."""

from __future__ import annotations

import json

import write_timeline


def _ms(value: float) -> float:
    return value / 1000


def test_the_phases_of_a_group_are_the_gaps_between_its_steps(tmp_path):
    events = []
    for origin in (0.0, 10.0):  # two groups; the first only sets where the second's cycle starts
        first, last = origin + 1.0, origin + 1.5
        events += [["arrive", _ms(first)], ["arrive", _ms(origin + 1.2)], ["arrive", _ms(last)],
                   ["begin", _ms(origin + 1.3), _ms(origin + 1.6)],
                   ["facts", _ms(origin + 1.7), _ms(origin + 2.1)],
                   ["commit", _ms(origin + 2.4), _ms(origin + 3.4)]]
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(events))
    lines = write_timeline.summary(path)
    assert lines[0].startswith("timeline of a group commit, medians over 1 groups of 3.0 requests")
    medians = [float(line.split()[0]) for line in lines[1:]]
    # answers (3.4 -> 11.0), arriving (11.0 -> 11.5), BEGIN sent 0.3 after the first, its round trip,
    # idle after the last request (11.5 -> 11.6), facts, Python in the turn, the commit, the cycle
    assert medians == [7.6, 0.5, 0.3, 0.3, 0.1, 0.4, 0.3, 1.0, 10.0]


def test_a_run_that_recorded_no_whole_group_says_so(tmp_path):
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps([["arrive", 0.001], ["begin", 0.002, 0.003]]))
    assert write_timeline.summary(path) == ["timeline: no complete group was recorded"]
