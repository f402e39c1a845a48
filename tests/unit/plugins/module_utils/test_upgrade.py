# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd's upgrade rules. The 3.4 -> 3.5 path runs for real in the upgrade scenario; no 3.6 binary is reachable
here, so the 3.5 -> 3.6 rules are proven by these tests only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils.upgrade import judge, v2store_answer

CLEAN = "No custom content found in v2store.\n"


def three(version):
    return {"etcd1": version, "etcd2": version, "etcd3": version}


def test_one_minor_up_is_fine_with_a_word_on_patches():
    plan = judge(three("3.4.23"), "3.5.16")
    assert (plan["kind"], plan["source"], plan["target"], plan["problems"]) == ("minor", "3.4.23", "3.5.16", [])
    assert "newest patch of 3.4" in plan["warnings"][0]


@pytest.mark.parametrize(
    "running, target, message",
    [
        (three("3.4.23"), "3.6.5", "skips a minor release: the members run 3.4.23"),
        (three("3.5.16"), "3.4.23", "older than the 3.5.16 the members run"),
        (three("3.5.16"), "3.5.2", "older than the 3.5.16"),
        (three("3.5.16"), "3.5", "etcd_version"),
        ({"etcd1": "3.4.23", "etcd2": "3.5.1", "etcd3": "3.5.16"}, "3.5.16", "a cluster mixed other than"),
        ({"etcd1": "garbage"}, "3.5.16", "etcd1 runs 'garbage'"),
        ({}, "3.5.16", "no member answered"),
    ],
)
def test_refused(running, target, message):
    plan = judge(running, target)
    assert any(message in problem for problem in plan["problems"]), plan


def test_an_interrupted_upgrade_resumes_and_a_finished_one_does_nothing():
    mixed = {"etcd1": "3.5.16", "etcd2": "3.4.23", "etcd3": "3.4.23"}
    plan = judge(mixed, "3.5.16")
    assert (plan["kind"], plan["source"], plan["problems"]) == ("minor", "3.4.23", [])
    assert judge(three("3.5.16"), "3.5.16")["kind"] == "none"
    assert judge(three("3.5.1"), "3.5.16")["kind"] == "patch"


def test_auth_on_blocks_the_rolling_3_4_to_3_5_upgrade():
    plan = judge(three("3.4.23"), "3.5.16", auth_enabled=True)
    assert "authentication on" in plan["problems"][0]
    assert judge(three("3.5.1"), "3.5.16", auth_enabled=True)["problems"] == []


def test_3_6_needs_3_5_32_everywhere_a_clean_v2store_and_no_enable_v2():
    v2 = {"etcd1": CLEAN, "etcd2": CLEAN, "etcd3": CLEAN}
    assert judge(three("3.5.32"), "3.6.5", v2store=v2)["problems"] == []
    low = judge(three("3.5.31"), "3.6.5", v2store=v2)
    assert low["problems"] == [
        "etcd1, etcd2, etcd3 are older than 3.5.32: etcd 3.6 takes members from 3.5.32 or later only; upgrade to the "
        "newest 3.5 patch first"
    ]
    dirty = judge(three("3.5.32"), "3.6.5", v2store=dict(v2, etcd2="detected custom v2store content: /foo\n"))
    assert dirty["problems"] == [
        "etcd2: etcdutl check v2store found v2 content (detected custom v2store content: /foo); etcd 3.6 would refuse "
        "it: migrate or remove the v2 data first"
    ]
    unchecked = judge(three("3.5.32"), "3.6.5", v2store={"etcd1": CLEAN, "etcd2": CLEAN})
    assert unchecked["problems"][0].startswith("etcd3: etcdutl check v2store could not run there")
    v2_on = judge(three("3.5.32"), "3.6.5", extra_config={"enable-v2": True}, v2store=v2)
    assert v2_on["problems"] == ["etcd_extra_config sets enable-v2, which etcd 3.6 no longer has: remove it first"]


def test_a_registered_result_is_read_as_what_etcdutl_said():
    assert v2store_answer({"rc": 0, "stdout": CLEAN, "stderr": ""}) == CLEAN
    assert v2store_answer({"rc": 1, "stdout": "", "stderr": "detected custom v2store content"}) == (
        "detected custom v2store content"
    )
    assert v2store_answer({"skipped": True, "changed": False}) is None
    assert v2store_answer({}) is None
    assert v2store_answer({"rc": 1, "stderr": 'Error: unknown command "v2store" for "etcdutl check"'}) is None
    v2 = {"etcd1": {"rc": 0, "stdout": CLEAN}, "etcd2": {"rc": 0, "stdout": CLEAN}, "etcd3": {"skipped": True}}
    assert judge(three("3.5.32"), "3.6.5", v2store=v2)["problems"][0].startswith("etcd3: etcdutl check v2store could")
    v2["etcd3"] = {"rc": 0, "stdout": CLEAN, "stderr": ""}
    assert judge(three("3.5.32"), "3.6.5", v2store=v2)["problems"] == []
