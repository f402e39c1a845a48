# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The judge of the long-lived client's report can fail: each violation it looks for, once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

import pytest

_PATH = os.path.join(os.path.dirname(__file__), "..", "clients", "judge_longlived.py")
_SPEC = importlib.util.spec_from_file_location("judge_longlived", _PATH)
judge_longlived = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(judge_longlived)


def report(**changes):
    acked = [["/ll/%06d" % i, 10 + i] for i in range(1, 31)]
    base = {"acked": acked, "failed": 0, "attempts_failed": 3, "events": [list(a) for a in acked]}
    base.update(watch_restarts=1, channel_ids=[1])
    base.update(changes)
    return base


def test_a_clean_report_passes():
    summary, problems = judge_longlived.judge(report())
    assert problems == [] and summary.startswith("30 writes acknowledged, 0 given up, 3 put attempts retried")


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"channel_ids": [1, 2]}, "2 gRPC channels"),
        ({"failed": 2}, "2 writes given up"),
        ({"events": [["/ll/%06d" % i, 10 + i] for i in range(1, 31) if i != 7]}, "the watch missed 1"),
        ({"events": [["/ll/000001", 11], ["/ll/000001", 11]]}, "watch event's revision went backwards"),
    ],
)
def test_each_violation_is_found(changes, problem):
    _summary, problems = judge_longlived.judge(report(**changes))
    assert any(problem in p for p in problems), problems
