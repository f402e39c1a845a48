# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd's RBAC for the cluster's named clients: read what etcd has, plan the etcdctl calls that make it
what the inventory says, run them.

A user and a role per client (the role named after the client, the user its certificate's CN, or its
name for a JSON-API client), the role's permissions exactly its prefixes, the admin certificate's CN a
root user, then ``auth enable``. Users and roles that no client names are left alone. Passwords travel
on etcdctl's stdin and in its environment, never on its command line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_input
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

ROOT = "root"
# etcd's permType in JSON (READ is 0, left out by omitempty).
PERM_TYPES = {0: "read", 1: "write", 2: "readwrite"}


class AuthState:
    """What etcd has: whether auth is on, each user's roles, each role's permissions
    ({(key, range_end): type}), and whether each checked password works."""

    def __init__(self, enabled, users, roles, passwords_ok=None):
        self.enabled = enabled
        self.users = users
        self.roles = roles
        self.passwords_ok = passwords_ok or {}


def prefix_end(key):
    """The range end that makes ``key`` a prefix (clientv3.GetPrefixRangeEnd)."""
    data = bytearray(key.encode("utf-8"))
    for index in range(len(data) - 1, -1, -1):
        if data[index] < 0xFF:
            data[index] += 1
            return bytes(data[: index + 1]).decode("utf-8", "surrogateescape")
    return "\x00"


def _decode(value):
    return base64.b64decode(value or "").decode("utf-8", "surrogateescape")


def wanted(clients, admin_user):
    """The users and roles the clients ask for: ({user: {roles, password, client}}, {role: {(key, end): type}})."""
    users, roles = {}, {}
    for client in clients:
        if client.name == ROOT:
            raise EtcdTLSError("client root: etcd's root role grants everything; give the client another name")
        if client.user in (ROOT, admin_user):
            raise EtcdTLSError(
                "client %s: its user %r is the cluster's admin (etcd_pki_admin_common_name); give it another "
                "common_name" % (client.name, client.user)
            )
        if client.user in users:
            raise EtcdTLSError("client %s: user %r is already another client's" % (client.name, client.user))
        if client.password is not None and (not client.password or any(c.isspace() for c in client.password)):
            raise EtcdTLSError(
                "client %s: the password is empty or has whitespace (etcdctl reads one word); pick another"
                % client.name
            )
        if client.api == "json" and not client.password:
            raise EtcdTLSError(
                "client %s: a JSON-API client logs in with a password once authentication is on (its certificate "
                "has no CN); set its password (in Ansible Vault)" % client.name
            )
        perms = {}
        for kind, prefixes in (("read", client.read_prefixes), ("readwrite", client.prefixes)):
            for prefix in prefixes:
                if not prefix:
                    raise EtcdTLSError("client %s: an empty key prefix would grant every key; name one" % client.name)
                perms[(prefix, prefix_end(prefix))] = kind
        roles[client.name] = perms
        users[client.user] = {"roles": [client.name], "password": client.password, "client": client.name}
    # etcd requires a root user with the root role before ``auth enable``; the admin certificate's CN is the
    # identity of every health check and restart gate, so it has the root role too.
    for user in sorted({ROOT, admin_user}):
        users[user] = {"roles": [ROOT], "password": None, "client": None}
    return users, roles


def password_check_needed(state, users):
    """Users whose password can be checked: they exist and authentication is on (etcd answers a login only
    then)."""
    return [name for name, user in sorted(users.items()) if user["password"] and state.enabled and name in state.users]


class Call:
    """One etcdctl call of the plan; ``stdin`` carries a password. Names and keys come after ``--``: a CN or a prefix
    that starts with ``-`` is an argument, never a flag."""

    def __init__(self, describe, args, stdin=None):
        self.describe = describe
        self.args = list(args)
        self.stdin = stdin


def _revoke_args(role, key, end):
    if end == prefix_end(key):
        return ["role", "revoke-permission", "--prefix=true", "--", role, key]
    if not end:
        return ["role", "revoke-permission", "--", role, key]
    if "\x00" in end:
        raise EtcdTLSError(
            "role %s: a permission from %r to the end of the keyspace is not etcd_auth's to revoke; "
            "revoke it with etcdctl" % (role, key)
        )
    return ["role", "revoke-permission", "--", role, key, end]


def plan(state, users, roles, enable=True):
    """The etcdctl calls, in order, that make ``state`` what ``users`` and ``roles`` ask for."""
    calls = []
    for role, perms in sorted(roles.items()):
        have = state.roles.get(role)
        if have is None:
            calls.append(Call("add role %s" % role, ["role", "add", "--", role]))
            have = {}
        for (key, end), kind in sorted(perms.items()):
            if have.get((key, end)) != kind:
                calls.append(
                    Call(
                        "grant role %s %s on prefix %s" % (role, kind, key),
                        ["role", "grant-permission", "--prefix=true", "--", role, kind, key],
                    )
                )
        for (key, end), kind in sorted(have.items()):
            if (key, end) not in perms:
                calls.append(Call("revoke role %s %s on %s" % (role, kind, key), _revoke_args(role, key, end)))
    for name, user in sorted(users.items()):
        have_roles = state.users.get(name)
        if have_roles is None:
            if user["password"]:
                calls.append(
                    Call(
                        "add user %s with its password" % name,
                        ["user", "add", "--interactive=false", "--", name],
                        stdin=user["password"],
                    )
                )
            else:
                calls.append(
                    Call(
                        "add user %s (no password: its certificate names it)" % name,
                        ["user", "add", "--no-password", "--", name],
                    )
                )
            have_roles = []
        elif user["password"] and not state.passwords_ok.get(name, False):
            calls.append(
                Call(
                    "set the password of user %s" % name,
                    ["user", "passwd", "--interactive=false", "--", name],
                    stdin=user["password"],
                )
            )
        for role in user["roles"]:
            if role not in have_roles:
                calls.append(Call("grant role %s to user %s" % (role, name), ["user", "grant-role", "--", name, role]))
        if user["client"] is not None:
            for role in sorted(set(have_roles) - set(user["roles"])):
                calls.append(
                    Call("revoke role %s from user %s" % (role, name), ["user", "revoke-role", "--", name, role])
                )
    if enable and not state.enabled:
        calls.append(Call("enable authentication", ["auth", "enable"]))
    return calls


def _must(result, what):
    rc, parsed, err = result
    if rc != 0:
        raise EtcdTLSError("etcdctl %s failed: %s" % (what, err or "rc=%d" % rc))
    return parsed or {}


def read_state(etcdctl, endpoints, users):
    """What etcd has now, with a login tried for each user whose password can be checked."""
    rc, parsed, err = etcdctl.run(endpoints, "auth", "status")
    if rc != 0:
        if "unknown command" in err:
            raise EtcdTLSError(
                "etcdctl has no 'auth status' (etcd 3.4): etcd_auth_enabled needs etcd 3.5 or later, whose users "
                "can go without a password; upgrade first"
            )
        raise EtcdTLSError("etcdctl auth status failed: %s" % err)
    state = AuthState(bool((parsed or {}).get("enabled")), {}, {})
    for name in _must(etcdctl.run(endpoints, "user", "list"), "user list").get("users") or []:
        state.users[name] = (
            _must(etcdctl.run(endpoints, "user", "get", "--", name), "user get %s" % name).get("roles") or []
        )
    for name in _must(etcdctl.run(endpoints, "role", "list"), "role list").get("roles") or []:
        perms = _must(etcdctl.run(endpoints, "role", "get", "--", name), "role get %s" % name).get("perm") or []
        state.roles[name] = {
            (_decode(p.get("key")), _decode(p.get("range_end"))): PERM_TYPES.get(p.get("permType", 0), "read")
            for p in perms
        }
    for name in password_check_needed(state, users):
        rc, _parsed, err = etcdctl.run(
            endpoints, "endpoint", "status", environ={"ETCDCTL_USER": name, "ETCDCTL_PASSWORD": users[name]["password"]}
        )
        if rc != 0 and "authentication failed" not in err:
            raise EtcdTLSError("etcdctl could not check user %s's password: %s" % (name, err))
        state.passwords_ok[name] = rc == 0
    return state


def ensure(etcdctl, endpoints, clients, admin_user, enable=True, check_mode=False):
    """Make etcd's users and roles what ``clients`` ask for; returns (changes, state before)."""
    users, roles = wanted(pki_input.parse_clients(clients), admin_user)
    state = read_state(etcdctl, endpoints, users)
    calls = plan(state, users, roles, enable)
    if not check_mode:
        for call in calls:
            _must(
                etcdctl.run(endpoints, *call.args, data=call.stdin),
                " ".join(call.args[:2]) + " (" + call.describe + ")",
            )
    return [call.describe for call in calls], state


def summary(state):
    """etcd's users and roles, for the module's result and diff."""
    return {
        "enabled": state.enabled,
        "users": {name: sorted(roles) for name, roles in sorted(state.users.items())},
        "roles": {
            name: sorted(
                "%s %s%s" % (kind, key, "*" if end == prefix_end(key) else ("-" + end if end else ""))
                for (key, end), kind in perms.items()
            )
            for name, perms in sorted(state.roles.items())
        },
    }
