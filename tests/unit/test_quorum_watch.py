# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The background writer's judge: a lost write is found; a failed write that was committed is not lost."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

_PATH = os.path.join(os.path.dirname(__file__), "..", "quorum_watch.py")
_SPEC = importlib.util.spec_from_file_location("quorum_watch", _PATH)
quorum_watch = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(quorum_watch)


def test_judge_finds_a_lost_write_and_forgives_a_committed_failure():
    run = "r1"
    present = {quorum_watch.key_of(run, seq) for seq in (1, 2, 4)} | {quorum_watch.key_of("r0", 3)}
    report = quorum_watch.judge(run, 4, [{"seq": 4, "at": 1.0, "error": "transport is closing"}], present)
    # Write 3 was acknowledged but is gone (an earlier run's key 3 does not stand in for it); write 4 failed yet
    # was committed: counted, not lost.
    assert report["lost"] == [3]
    assert report["acknowledged"] == 3 and report["readable"] == 2
    assert report["committed_despite_error"] == 1
