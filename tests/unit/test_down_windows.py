# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one-member-down-at-a-time check finds an overlap, and passes a rolling restart."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

_PATH = os.path.join(os.path.dirname(__file__), "..", "down_windows.py")
_SPEC = importlib.util.spec_from_file_location("down_windows", _PATH)
down_windows = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(down_windows)


def journal(*pairs):
    lines = []
    for stop, start in pairs:
        lines.append("%.3f h systemd[1]: Stopping etcd.service - etcd member..." % stop)
        lines.append("%.3f h systemd[1]: Stopped etcd.service - etcd member." % (stop + 0.5))
        lines.append("%.3f h systemd[1]: Started etcd.service - etcd member." % start)
    return lines


def test_a_rolling_restart_has_no_overlap():
    members = {"a": journal((10, 12)), "b": journal((15, 17)), "c": journal((20, 22))}
    by_member = dict((m, down_windows.windows(lines)) for m, lines in members.items())
    assert by_member["b"] == [[15.0, 17.0]]
    assert down_windows.overlaps(by_member) == []


def test_two_members_down_at_once_is_found():
    members = {"a": journal((10, 12)), "b": journal((11.5, 13)), "c": []}
    by_member = dict((m, down_windows.windows(lines)) for m, lines in members.items())
    assert down_windows.overlaps(by_member) == [["a", [10.0, 12.0], "b", [11.5, 13.0]]]


def test_a_member_that_never_came_back_stays_down():
    assert down_windows.windows(journal((10, 12))[:2]) == [[10.0, float("inf")]]
