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


def test_a_connection_error_is_retried_and_a_cluster_error_is_not():
    # What etcdctl printed in CI for a put answered by a member in its graceful stop.
    stopping = (
        'ary invoker failed","target":"etcd-endpoints://0xc000376700/127.0.0.1:31912","attempt":0,"error":"rpc '
        'error: code = Unknown desc = OK: HTTP status code 200; transport: missing content-type field"}\n'
        "Error: rpc error: code = Unknown desc = OK: HTTP status code 200; transport: missing content-type field"
    )
    assert quorum_watch.is_transport_error(stopping)
    assert quorum_watch.is_transport_error("Error: rpc error: code = Unavailable desc = transport is closing")
    # A cluster without quorum: not the connection's fault, never retried.
    assert not quorum_watch.is_transport_error("Error: context deadline exceeded")
    assert not quorum_watch.is_transport_error('{"level":"warn"} Error: etcdserver: request timed out')
    assert not quorum_watch.is_transport_error("transport is closing ... Error: context deadline exceeded")


def test_only_one_put_in_flight_at_each_stop_is_etcds_doing():
    stops = [(10.0, 10.5), (20.0, 20.4)]

    def failed(seq, began, ended):
        return {"seq": seq, "began": began, "ended": ended}

    at_stop, after_stop, second_at_stop = failed(1, 9.9, 14.9), failed(2, 15.0, 20.0 - 0.01), failed(3, 10.2, 15.2)
    # Across the first stop: explained. Ended before the second began: not. A second one at the first stop: not.
    assert quorum_watch.not_in_flight_at_a_stop([at_stop], stops) == []
    assert quorum_watch.not_in_flight_at_a_stop([at_stop, after_stop, second_at_stop], stops) == [
        after_stop,
        second_at_stop,
    ]
    # The put that waited out the second stop's deadline is explained by that stop.
    assert quorum_watch.not_in_flight_at_a_stop([failed(4, 19.0, 24.0)], stops) == []
