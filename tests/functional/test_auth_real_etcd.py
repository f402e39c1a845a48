# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_auth's logic against a real etcd member: the users, roles and prefixes it makes are proven by what
real clients may and may not do afterwards, over gRPC (etcdctl, CN = user) and over the JSON gateway
(a certificate without CN, a password, a token)."""

import base64
import http.client
import json
import os
import ssl
from urllib.parse import urlsplit

import pytest
from local_etcd import ETCDCTL, LOCAL_INVENTORY, LocalCluster, run_command

from ansible_collections.etcdtls.cluster.plugins.module_utils import auth
from ansible_collections.etcdtls.cluster.plugins.module_utils import etcdctl as health

CLIENTS = [
    {"name": "apisix", "api": "json", "password": "s3cret-1", "prefixes": ["/apisix/"]},
    {"name": "kube", "prefixes": ["/registry/"], "read_prefixes": ["/shared/"]},
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    local = LocalCluster(str(tmp_path_factory.mktemp("auth")), ["127.0.0.1"])
    local.build_pki(clients=CLIENTS)
    local.start(local.members[0])
    local.ensure_healthy()
    yield local
    local.stop_all()


def ctl(cluster, cert="admin"):
    files = [os.path.join(cluster.pki, "clients", cert + ext) for ext in (".crt", ".key")]
    return health.Etcdctl(run_command, ETCDCTL, os.path.join(cluster.pki, "ca.crt"), *files, timeout=3)


def put(cluster, cert, key):
    rc, _parsed, err = ctl(cluster, cert).run(cluster.endpoints(), "put", key, "v")
    return "ok" if rc == 0 else err.splitlines()[-1]


def gateway(cluster, cert, path, body, token=None):
    context = ssl.create_default_context(cafile=os.path.join(cluster.pki, "ca.crt"))
    context.load_cert_chain(*[os.path.join(cluster.pki, "clients", cert + ext) for ext in (".crt", ".key")])
    url = urlsplit(cluster.endpoints()[0])
    connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=5)
    try:
        connection.request("POST", path, json.dumps(body), {"Authorization": token} if token else {})
        answer = connection.getresponse()
        text = answer.read().decode()
    finally:
        connection.close()
    return answer.status, (json.loads(text) if answer.status == 200 else text)


def b64(text):
    return base64.b64encode(text.encode()).decode()


def ensure(cluster, clients, check_mode=False):
    return auth.ensure(ctl(cluster), cluster.endpoints(), clients, "root", check_mode=check_mode)


def test_rbac_per_client_by_effect(cluster):
    # Before: anyone with a certificate writes anywhere.
    assert put(cluster, "kube", "/other/before") == "ok"

    changes, before = ensure(cluster, CLIENTS, check_mode=True)
    assert not before.enabled and changes[-1] == "enable authentication"
    assert "grant role kube read on prefix /shared/" in changes and "add user apisix with its password" in changes
    assert put(cluster, "kube", "/other/check-mode") == "ok", "check mode changed nothing"

    changes, before = ensure(cluster, CLIENTS)
    assert changes[-1] == "enable authentication" and not before.enabled
    changes, before = ensure(cluster, CLIENTS)
    assert (changes, before.enabled) == ([], True), "a rerun changes nothing, passwords included"
    assert auth.summary(before)["roles"]["kube"] == ["read /shared/*", "readwrite /registry/*"]
    assert auth.summary(before)["users"]["root"] == ["root"]

    # gRPC: the certificate's CN is the user.
    assert put(cluster, "kube", "/registry/pods/a") == "ok"
    assert put(cluster, "kube", "/other/x").endswith("permission denied")
    assert put(cluster, "kube", "/shared/x").endswith("permission denied")
    rc, parsed, _err = ctl(cluster, "kube").run(cluster.endpoints(), "get", "/shared/", "--prefix")
    assert rc == 0 and parsed["header"]["revision"] > 0
    assert put(cluster, "admin", "/anything") == "ok", "the admin's CN is root: health gates keep working"
    assert ctl(cluster).run(cluster.endpoints(), "endpoint", "health")[0] == 0

    # The JSON gateway: a certificate with a CN is answered 400 once auth is on (why a JSON client has none)...
    code, text = gateway(cluster, "kube", "/v3/auth/authenticate", {"name": "kube", "password": "x"})
    assert code == 400 and "CommonName of client sending a request against gateway" in text
    # ... the apisix certificate (no CN) logs in with its password and writes only under /apisix/.
    code, answer = gateway(cluster, "apisix", "/v3/auth/authenticate", {"name": "apisix", "password": "s3cret-1"})
    assert code == 200, answer
    token = answer["token"]
    code, answer = gateway(cluster, "apisix", "/v3/kv/put", {"key": b64("/apisix/routes/1"), "value": b64("r")}, token)
    assert code == 200 and "revision" in answer["header"], answer
    code, answer = gateway(cluster, "apisix", "/v3/kv/put", {"key": b64("/registry/x"), "value": b64("r")}, token)
    assert code == 403 and "permission denied" in answer, answer
    code, answer = gateway(cluster, "apisix", "/v3/kv/put", {"key": b64("/apisix/x"), "value": b64("r")})
    assert code != 200, "no token, no write"
    code, answer = gateway(cluster, "apisix", "/v3/auth/authenticate", {"name": "apisix", "password": "wrong"})
    assert code != 200 and "authentication failed" in str(answer)


def test_password_and_prefix_changes(cluster):
    ensure(cluster, CLIENTS)
    changed = [dict(CLIENTS[0], password="s3cret-2"), dict(CLIENTS[1], read_prefixes=[])]
    changes, _before = ensure(cluster, changed)
    assert changes == ["revoke role kube read on /shared/", "set the password of user apisix"]
    assert ensure(cluster, changed)[0] == []
    code, _answer = gateway(cluster, "apisix", "/v3/auth/authenticate", {"name": "apisix", "password": "s3cret-2"})
    assert code == 200
    rc, _parsed, err = ctl(cluster, "kube").run(cluster.endpoints(), "get", "/shared/", "--prefix")
    assert rc != 0 and "permission denied" in err
    # A user that no client names any more keeps what it has: etcd_auth removes nothing it did not make.
    assert ensure(cluster, changed[:1])[0] == []


@pytest.mark.parametrize(
    "clients, message",
    [
        ([{"name": "root"}], "client root: etcd's root role grants everything"),
        ([{"name": "k", "common_name": "root"}], "client k: its user 'root' is the cluster's admin"),
        ([{"name": "a", "password": "two words"}], "client a: the password is empty or has whitespace"),
        ([{"name": "a", "prefixes": [""]}], "client a: an empty key prefix would grant every key"),
        ([{"name": "a"}, {"name": "b", "common_name": "a"}], "client b: user 'a' is already another client's"),
    ],
)
def test_bad_clients_are_refused_before_any_call(clients, message):
    calls = []

    class Recorder:
        def run(self, *args, **kwargs):
            calls.append(args)
            return 0, {}, ""

    with pytest.raises(auth.EtcdTLSError, match=message):
        auth.ensure(Recorder(), ["https://127.0.0.1:1"], clients, "root")
    assert calls == []


def test_the_module_in_check_and_diff_mode_then_for_real(tmp_path, playbook):
    """etcd_auth as the role calls it (the etcdctl environment): check mode reports the calls and changes nothing,
    the run makes them, a rerun changes nothing, and the password shows nowhere in the output."""
    local = LocalCluster(str(tmp_path / "c"), ["127.0.0.1"])
    local.build_pki(clients=CLIENTS)
    local.start(local.members[0])
    try:
        local.ensure_healthy()
        play = local.module_play(
            "Make the clients' users and roles", "etcd_auth", "        clients: " + json.dumps(CLIENTS)
        )
        outputs = []
        for args, changed in ((("--check", "--diff"), True), (("--diff",), True), ((), False)):
            rc, data = playbook.run(play, LOCAL_INVENTORY, *args)
            result = playbook.task_results(data, "Make the clients' users and roles")["here"]
            assert rc == 0, result.get("msg")
            assert result["changed"] is changed, (args, result["changes"])
            outputs.append(json.dumps(data))
            if "--check" in args:
                assert not result["before"]["enabled"] and "enable authentication" in result["changes"]
                assert "+ enable authentication" in result["diff"]["prepared"]
                assert put(local, "kube", "/other/x") == "ok", "check mode changed nothing"
        assert put(local, "kube", "/other/y").endswith("permission denied")
        assert not any("s3cret-1" in output for output in outputs)
    finally:
        local.stop_all()


def test_a_cn_and_a_prefix_that_look_like_flags_are_arguments(tmp_path):
    """A CN of -h is a user, not etcdctl's help; a prefix of -dash/ is a key, not a flag (arguments after --)."""
    clients = [{"name": "dash", "common_name": "-h", "prefixes": ["-dash/"]}]
    local = LocalCluster(str(tmp_path / "c"), ["127.0.0.1"])
    local.build_pki(clients=clients)
    local.start(local.members[0])
    try:
        local.ensure_healthy()
        changes, _before = ensure(local, clients)
        assert "add user -h (no password: its certificate names it)" in changes
        assert ensure(local, clients)[0] == [], "a rerun finds what the first run made"
        rc, _parsed, err = ctl(local, "dash").run(local.endpoints(), "put", "--", "-dash/x", "v")
        assert rc == 0, err
        rc, _parsed, err = ctl(local, "dash").run(local.endpoints(), "put", "--", "/other", "v")
        assert rc != 0 and "permission denied" in err
        rc, parsed, err = ctl(local).run(local.endpoints(), "user", "get", "--", "-h")
        assert rc == 0 and parsed["roles"] == ["dash"], (parsed, err)
    finally:
        local.stop_all()
