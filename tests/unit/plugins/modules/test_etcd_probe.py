# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_probe through AnsibleModule: the probe alone, and with the host's facts in the same call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import platform

import pytest
from module_runner import run_module

from ansible_collections.etcdtls.cluster.plugins.modules import etcd_probe


@pytest.fixture
def call():
    return lambda capsys, **args: run_module(etcd_probe, capsys, **args)


def test_probe_alone_gathers_no_facts(tmp_path, call, capsys):
    result = call(capsys, config_file=str(tmp_path / "conf.yml"), data_dir=str(tmp_path / "data"))
    assert result["_rc"] == 0 and result["changed"] is False
    assert list(result["ansible_facts"]) == ["etcd_probe"]
    assert result["ansible_facts"]["etcd_probe"]["has_data"] is False


def test_probe_with_the_facts_the_role_reads(tmp_path, call, capsys):
    result = call(capsys, config_file=str(tmp_path / "conf.yml"), gather_subset=["min", "network"])
    facts = result["ansible_facts"]
    assert facts["ansible_architecture"] == platform.machine()
    for name in ("ansible_distribution", "ansible_os_family", "ansible_service_mgr", "ansible_all_ipv4_addresses"):
        assert name in facts
    assert facts["etcd_probe"]["config_exists"] is False


def test_unknown_subset_fails(tmp_path, call, capsys):
    result = call(capsys, config_file=str(tmp_path / "conf.yml"), gather_subset=["nosuchsubset"])
    assert result["_rc"] == 1 and "gather_subset nosuchsubset" in result["msg"]
