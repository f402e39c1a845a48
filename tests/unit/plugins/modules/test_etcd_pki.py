# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_pki through AnsibleModule: argument handling, check/diff mode, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest
from module_runner import run_module

from ansible_collections.etcdtls.cluster.plugins.modules import etcd_pki

MEMBERS = [
    {"name": "etcd1", "ips": ["10.0.0.1"]},
    {"name": "etcd2", "ips": ["10.0.0.2"]},
    {"name": "etcd3", "ips": ["10.0.0.3"]},
]


@pytest.fixture
def call():
    return lambda capsys, **args: run_module(etcd_pki, capsys, **args)


def test_create_then_idempotent(tmp_path, call, capsys):
    path = str(tmp_path / "pki")
    first = call(capsys, path=path, members=MEMBERS, clients=[{"name": "apisix"}])
    assert first["_rc"] == 0 and first["changed"] is True
    assert [c["id"] for c in first["certificates"]] == [
        "members/etcd1/server",
        "members/etcd1/peer",
        "members/etcd2/server",
        "members/etcd2/peer",
        "members/etcd3/server",
        "members/etcd3/peer",
        "clients/admin",
        "clients/apisix",
    ]
    second = call(capsys, path=path, members=MEMBERS, clients=[{"name": "apisix"}])
    assert second["changed"] is False and second["issued"] == []


def test_check_and_diff_mode(tmp_path, call, capsys):
    path = str(tmp_path / "pki")
    result = call(capsys, path=path, members=MEMBERS, _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert not os.path.exists(path)
    assert "members/etcd2/peer: new CA" in result["diff"]["before"]
    assert "members/etcd2/peer: issued, valid until" in result["diff"]["after"]


def test_passphrase_is_not_logged(tmp_path, call, capsys):
    path = str(tmp_path / "pki")
    result = call(capsys, path=path, members=MEMBERS, ca_passphrase="hunter2-passphrase")
    assert "hunter2-passphrase" not in json.dumps(result)
    for name in ("ca.key", "members/etcd1/server.key"):
        with open(os.path.join(path, name)) as handle:
            assert "hunter2-passphrase" not in handle.read()


@pytest.mark.parametrize(
    "members, message",
    [
        ([], "members is empty"),
        (
            [{"name": "e1", "ips": ["10.0.0.1"]}, {"name": "e1", "ips": ["10.0.0.2"]}],
            "member e1: the name is also the name or FQDN of member e1",
        ),
        (
            [{"name": "e1", "ips": ["10.0.0.1"]}, {"name": "e2", "ips": ["10.0.0.1"]}],
            "IP 10.0.0.1 is also the IP of member e1",
        ),
        ([{"name": "e1", "ips": ["10.0.0"]}], "member e1: etcd_address: '10.0.0' is not an IP address"),
    ],
)
def test_bad_input_fails_before_writing(tmp_path, call, capsys, members, message):
    path = str(tmp_path / "pki")
    result = call(capsys, path=path, members=members)
    assert result["_rc"] == 1 and result["failed"] is True
    assert message in result["msg"]
    assert not os.path.exists(path)


def test_bad_key_size_fails(tmp_path, call, capsys):
    result = call(capsys, path=str(tmp_path), members=MEMBERS, key_type="rsa", key_size=1024)
    assert result["failed"] and "key_size 1024 is not supported for key_type rsa" in result["msg"]


def test_unknown_key_type_rejected_by_argument_spec(tmp_path, call, capsys):
    result = call(capsys, path=str(tmp_path), members=MEMBERS, key_type="dsa")
    assert result["failed"] and "key_type" in result["msg"]


def test_ca_expiry_warning(tmp_path, call, capsys, monkeypatch):
    warned = []
    monkeypatch.setattr(etcd_pki.AnsibleModule, "warn", lambda self, msg: warned.append(msg))
    path = str(tmp_path / "pki")
    call(capsys, path=path, members=MEMBERS, ca_days=100, leaf_days=100, renew_days=10)
    result = call(capsys, path=path, members=MEMBERS, ca_days=100, leaf_days=100, renew_days=10)
    assert result["changed"] is False
    assert any("plan a CA rotation" in w for w in warned)
