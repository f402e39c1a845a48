# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-process actions of etcd_pki and etcd_preflight: the same result as the module, the same
argument spec, no_log kept, and the module sent as usual when the task is not local."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
from unittest import mock

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.etcdtls.cluster.plugins.action import etcd_pki as pki_action
from ansible_collections.etcdtls.cluster.plugins.action import etcd_preflight as preflight_action

MEMBERS = [{"name": "etcd%d" % i, "ips": ["10.0.0.%d" % i]} for i in (1, 2, 3)]


def action(cls, args, transport="local", become=False, check_mode=False, diff=False):
    task = Task()
    task.args = args
    task.check_mode = check_mode
    task.diff = diff
    context = PlayContext()
    context.become = become
    connection = mock.Mock(transport=transport)
    connection._shell.tmpdir = None
    return cls.ActionModule(
        task=task,
        connection=connection,
        play_context=context,
        loader=DataLoader(),
        templar=None,
        shared_loader_obj=None,
    )


def run(plugin):
    with mock.patch.object(plugin, "_execute_module", side_effect=AssertionError("sent as a module")):
        return plugin.run(task_vars={})


def test_pki_in_process_builds_then_is_idempotent(tmp_path):
    path = str(tmp_path / "pki")
    first = run(action(pki_action, {"path": path, "members": MEMBERS}))
    assert first["changed"] is True and not first.get("failed")
    assert os.path.isfile(os.path.join(path, "members", "etcd2", "peer.crt"))
    assert first["layout"]["members"]["etcd3"]["server"]["key"] == os.path.join(path, "members/etcd3/server.key")
    # Defaults come from the module's own spec.
    assert first["invocation"]["module_args"]["leaf_days"] == 365
    second = run(action(pki_action, {"path": path, "members": MEMBERS}))
    assert second["changed"] is False and second["issued"] == []


def test_pki_in_process_check_and_diff_write_nothing(tmp_path):
    path = str(tmp_path / "pki")
    result = run(action(pki_action, {"path": path, "members": MEMBERS}, check_mode=True, diff=True))
    assert result["changed"] is True and not os.path.exists(path)
    assert "members/etcd2/peer: issued, valid until" in result["diff"]["after"]


def test_pki_in_process_masks_the_passphrase(tmp_path):
    result = run(action(pki_action, {"path": str(tmp_path), "members": MEMBERS, "ca_passphrase": "hunter2-secret"}))
    assert not result.get("failed") and "hunter2-secret" not in json.dumps(result)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"members": MEMBERS}, "missing required arguments: path"),
        ({"path": "/x", "members": MEMBERS, "key_type": "dsa"}, "key_type"),
        ({"path": "/x", "members": []}, "members is empty"),
    ],
)
def test_pki_in_process_bad_input_fails(tmp_path, args, message):
    result = run(action(pki_action, args))
    assert result["failed"] is True and message in result["msg"]
    assert not os.path.exists("/x")


@pytest.mark.parametrize("transport, become", [("ssh", False), ("local", True)])
def test_not_local_sends_the_module(transport, become):
    plugin = action(preflight_action, {"members": []}, transport=transport, become=become)
    with mock.patch.object(plugin, "_execute_module", return_value={"changed": False, "cluster_new": True}) as sent:
        result = plugin.run(task_vars={})
    assert sent.call_args.kwargs["module_name"] == "etcdtls.cluster.etcd_preflight"
    assert result["cluster_new"] is True


def test_preflight_in_process_lists_every_missing_argument():
    result = run(action(preflight_action, {"members": []}))
    assert result["failed"] is True and "missing required arguments" in result["msg"]
    assert "pki_dir" in result["msg"] and "play_batch" in result["msg"]
