# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ready-to-paste client configuration for each named client: APISIX for a JSON-API client, kube-apiserver and
k3s for a gRPC one, etcdctl for both. The molecule ``clients`` scenario runs what these print."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_input
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def _apisix(client, members, server_name, files, auth_enabled):
    lines = []
    if server_name:
        hosts = [member["client_url"] for member in members]
        sni = server_name
    elif all(member.get("fqdn") for member in members):
        hosts = [member["client_url"].replace(member["address"], member["fqdn"], 1) for member in members]
        sni = None
    else:
        return (
            "# APISIX verifies DNS names only (OpenSSL's host check, never IP SANs), and the members have neither\n"
            "# etcd_server_name nor etcd_fqdn: set etcd_server_name, rerun, then run this playbook again.\n"
        )
    lines.append("deployment:")
    lines.append("  etcd:")
    lines.append("    host:")
    lines.extend('      - "%s"' % host for host in hosts)
    if auth_enabled:
        lines.append("    user: %s" % client.user)
        lines.append('    password: "<%s\'s etcd password>"' % client.user)
    lines.append("    tls:")
    lines.append("      cert: %s" % files["cert"])
    lines.append("      key: %s" % files["key"])
    lines.append("      verify: true")
    if sni:
        lines.append("      sni: %s" % sni)
    lines.append("apisix:")
    lines.append("  ssl:")
    lines.append("    ssl_trusted_certificate: %s" % files["ca"])
    return "\n".join(lines) + "\n"


def _kube_apiserver(endpoints, files):
    return "--etcd-servers=%s\n--etcd-cafile=%s\n--etcd-certfile=%s\n--etcd-keyfile=%s\n" % (
        endpoints,
        files["ca"],
        files["cert"],
        files["key"],
    )


def _k3s(endpoints, files):
    return (
        "k3s server \\\n  --datastore-endpoint=%s \\\n  --datastore-cafile=%s \\\n  --datastore-certfile=%s \\\n"
        "  --datastore-keyfile=%s\n" % (endpoints, files["ca"], files["cert"], files["key"])
    )


def _etcdctl(client, endpoints, files, auth_enabled):
    text = "export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=%s ETCDCTL_CACERT=%s ETCDCTL_CERT=%s ETCDCTL_KEY=%s\n" % (
        endpoints,
        files["ca"],
        files["cert"],
        files["key"],
    )
    if client.api == "json" and auth_enabled:
        # Its certificate has no CN: over gRPC it is its user by its password (etcdctl asks for it).
        text += "export ETCDCTL_USER=%s\n" % client.user
    return text + "etcdctl endpoint health\n"


def bundle_dirs(raw_clients, bundle_dir):
    """The directory each named client's bundle is in for its owner, by name: its bundle host's (``bundle.path``),
    else the controller's (``bundle_dir``/<name>)."""
    if not isinstance(bundle_dir, str) or not bundle_dir:
        raise EtcdTLSError(
            "the controller's bundle directory (etcd_client_bundle_dir) must be a path, not %r" % bundle_dir
        )
    return dict(
        (raw["name"], (raw.get("bundle") or {}).get("path") or "%s/%s" % (bundle_dir.rstrip("/"), raw["name"]))
        for raw in raw_clients
    )


def client_recipes(raw_clients, members, server_name, bundle_dir, auth_enabled=False):
    """For each named client: the directory its bundle is in (bundle_dirs), and its recipes."""
    endpoints = ",".join(member["client_url"] for member in members)
    result = []
    dirs = bundle_dirs(raw_clients, bundle_dir)
    for client in pki_input.parse_clients(raw_clients):
        directory = dirs[client.name].rstrip("/")
        files = {
            "ca": directory + "/ca.crt",
            "cert": "%s/%s.crt" % (directory, client.name),
            "key": "%s/%s.key" % (directory, client.name),
        }
        recipes = {}
        if client.api == "json":
            recipes["apisix.yaml"] = _apisix(client, members, server_name, files, auth_enabled)
        else:
            recipes["kube-apiserver.flags"] = _kube_apiserver(endpoints, files)
            recipes["k3s.sh"] = _k3s(endpoints, files)
        recipes["etcdctl.sh"] = _etcdctl(client, endpoints, files, auth_enabled)
        lines = [
            "%s: etcd user %s; bundle (ca.crt, %s.crt, %s.key) in %s"
            % (client.name, client.user, client.name, client.name, directory)
        ]
        for name, text in recipes.items():
            lines.extend(("", "# " + name))
            lines.extend(text.splitlines())
        result.append(
            {
                "name": client.name,
                "user": client.user,
                "api": client.api,
                "dir": directory,
                "recipes": recipes,
                "files": [{"file": name, "text": text} for name, text in recipes.items()],
                "lines": lines,
            }
        )
    return result
