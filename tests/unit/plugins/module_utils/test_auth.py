# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_auth's plan: which etcdctl calls, in which order, for a given state (the real-etcd behaviour is in
tests/functional/test_auth_real_etcd.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import auth, pki_input
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def want(clients, admin="root"):
    return auth.wanted(pki_input.parse_clients(clients), admin)


def test_prefix_end_is_etcds():
    assert auth.prefix_end("/apisix/") == "/apisix0"
    assert auth.prefix_end("/") == "0"
    # Byte-wise, as etcd: the last byte of "ÿ" (c3 bf) becomes c0.
    assert auth.prefix_end("a\xff").encode("utf-8", "surrogateescape") == b"a\xc3\xc0"


def test_a_fresh_cluster_gets_roles_users_root_then_auth():
    users, roles = want([{"name": "apisix", "api": "json", "password": "p", "prefixes": ["/apisix/"]}], "etcd-admin")
    calls = auth.plan(auth.AuthState(False, {}, {}), users, roles)
    assert [c.args for c in calls] == [
        ["role", "add", "--", "apisix"],
        ["role", "grant-permission", "--prefix=true", "--", "apisix", "readwrite", "/apisix/"],
        ["user", "add", "--interactive=false", "--", "apisix"],
        ["user", "grant-role", "--", "apisix", "apisix"],
        ["user", "add", "--no-password", "--", "etcd-admin"],
        ["user", "grant-role", "--", "etcd-admin", "root"],
        ["user", "add", "--no-password", "--", "root"],
        ["user", "grant-role", "--", "root", "root"],
        ["auth", "enable"],
    ]
    # The password goes on stdin, never in the arguments.
    assert [c.stdin for c in calls if c.stdin] == ["p"]
    assert not any(arg == "p" for c in calls for arg in c.args)


def test_exact_permissions_and_roles_on_managed_users_only():
    users, roles = want([{"name": "kube", "prefixes": ["/registry/"]}])
    state = auth.AuthState(
        True,
        {"kube": ["kube", "extra"], "root": ["root"], "other": ["x"]},
        {
            "kube": {("/registry/", "/registry0"): "read", ("/one", ""): "write", ("/a", "/c"): "read"},
            "x": {("/", "0"): "readwrite"},
        },
    )
    assert [c.args for c in auth.plan(state, users, roles)] == [
        ["role", "grant-permission", "--prefix=true", "--", "kube", "readwrite", "/registry/"],
        ["role", "revoke-permission", "--", "kube", "/a", "/c"],
        ["role", "revoke-permission", "--", "kube", "/one"],
        ["user", "revoke-role", "--", "kube", "extra"],
    ]


def test_passwords_are_checked_only_when_etcd_can_answer():
    users, roles = want([{"name": "gw", "api": "json", "password": "p", "prefixes": ["/gw/"]}])
    base = dict(users={"gw": ["gw"], "root": ["root"]}, roles={"gw": {("/gw/", "/gw0"): "readwrite"}})
    assert auth.password_check_needed(auth.AuthState(True, **base), users) == ["gw"]
    assert auth.password_check_needed(auth.AuthState(False, **base), users) == []
    ok = auth.AuthState(True, passwords_ok={"gw": True}, **base)
    assert auth.plan(ok, users, roles) == []
    stale = auth.AuthState(True, passwords_ok={"gw": False}, **base)
    assert [c.args for c in auth.plan(stale, users, roles)] == [["user", "passwd", "--interactive=false", "--", "gw"]]


def test_a_range_to_the_end_of_the_keyspace_is_left_to_the_operator():
    users, roles = want([{"name": "kube"}])
    state = auth.AuthState(True, {"kube": ["kube"], "root": ["root"]}, {"kube": {("/a", "\x00"): "read"}})
    with pytest.raises(EtcdTLSError, match="revoke it with etcdctl"):
        auth.plan(state, users, roles)
