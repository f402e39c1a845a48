# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a host already holds of an etcd member, read without changing anything.

Runs on the member (the etcd_probe module) with the standard library (and Ansible's own fact
collectors when asked for facts) only: a bare host has no
``cryptography`` and no YAML parser. The deploy decides from this, before anything is written,
whether the cluster is new, whether a data dir moved, and which CA the members trust.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import glob
import grp
import hashlib
import os
import pwd
import re
import time

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----", re.S)
# conf.yml is written by the role (to_nice_yaml): top-level "data-dir: ..." and indented
# "trusted-ca-file: ..." under the client and peer transport security blocks.
_DATA_DIR = re.compile(r"^data-dir:[ \t]*(.+?)[ \t]*$", re.M)
# The first line of every conf.yml this collection writes (roles/etcd/templates/conf.yml.j2).
MANAGED_MARK = b"# Managed by Ansible (etcdtls.cluster.etcd)"
# How much of a foreign etcd's command line and environment the probe reports.
_CMDLINE_MAX = 40
_VALUE_MAX = 200
_TRUSTED_CA = re.compile(r"^[ \t]+trusted-ca-file:[ \t]*(.+?)[ \t]*$", re.M)


def fingerprint(der):
    """SHA-256 of a certificate's DER form, as openssl prints it (``AB:CD:...``)."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pem_fingerprints(data):
    """The fingerprint of each certificate in a PEM bundle, in order."""
    found = []
    for body in _PEM_CERT.findall(data or b""):
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        found.append(fingerprint(der))
    return found


def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def read_config(path):
    """The data dir and trusted CA files a conf.yml names (None and [] when there is no file)."""
    data = _read(path)
    if data is None:
        return {"exists": False, "managed": False, "data_dir": None, "trusted_ca_files": []}
    text = data.decode("utf-8", "replace")
    match = _DATA_DIR.search(text)
    cas = []
    for value in _TRUSTED_CA.findall(text):
        value = _unquote(value)
        if value and value not in cas:
            cas.append(value)
    return {
        "exists": True,
        "managed": data.startswith(MANAGED_MARK),
        "data_dir": _unquote(match.group(1)) if match else None,
        "trusted_ca_files": cas,
    }


def _split_nul(data):
    """NUL-terminated strings (/proc's cmdline and environ), empty ones kept: an empty argument is a value."""
    data = data or b""
    parts = data.split(b"\0")
    if data.endswith(b"\0"):
        parts.pop()
    return [part.decode("utf-8", "replace") for part in parts] if data else []


def etcd_processes(name="etcd", proc="/proc"):
    """Each running process called ``name``: its pid, command line and ETCD_* environment (values cut short), so the
    controller can tell the members this collection started from an etcd started some other way."""
    found = []
    for pid in sorted((entry for entry in os.listdir(proc) if entry.isdigit()), key=int):
        try:
            with open(os.path.join(proc, pid, "comm")) as handle:
                if handle.read().strip() != name:
                    continue
            with open(os.path.join(proc, pid, "cmdline"), "rb") as handle:
                cmdline = _split_nul(handle.read())
        except OSError:
            continue
        item = {"pid": int(pid), "cmdline": [arg[:_VALUE_MAX] for arg in cmdline[:_CMDLINE_MAX]], "env": {}}
        # What was cut short is not read as etcd's settings (only shown).
        truncated = len(cmdline) > _CMDLINE_MAX or any(len(arg) > _VALUE_MAX for arg in cmdline)
        try:
            with open(os.path.join(proc, pid, "environ"), "rb") as handle:
                for entry in _split_nul(handle.read()):
                    key, _sep, value = entry.partition("=")
                    if not key.startswith("ETCD_"):
                        continue
                    if len(item["env"]) >= _CMDLINE_MAX or len(key) > _VALUE_MAX:
                        truncated = True
                        continue
                    # Go's getenv takes a name's first value, as the process itself sees it.
                    item["env"].setdefault(key, value[:_VALUE_MAX])
                    truncated = truncated or len(value) > _VALUE_MAX
        except OSError as exc:
            item["env_error"] = exc.strerror or str(exc)
        if truncated:
            item["truncated"] = True
        found.append(item)
    return found


def listening_ports(ports, proc="/proc"):
    """Which of ``ports`` something on this host listens on (TCP, IPv4 or IPv6), from the kernel's own tables: an
    etcd inside another program (k3s) or under another name shows there and nowhere else."""
    wanted, found = set(int(port) for port in ports or ()), set()
    for table in ("tcp", "tcp6"):
        try:
            with open(os.path.join(proc, "net", table)) as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # sl local_address rem_address st ...: the local address is hex "ADDR:PORT", 0A is LISTEN.
            if len(fields) > 3 and fields[3] == "0A" and ":" in fields[1]:
                port = int(fields[1].rsplit(":", 1)[1], 16)
                if port in wanted:
                    found.add(port)
    return sorted(found)


def has_member_data(data_dir):
    return bool(data_dir) and os.path.isdir(os.path.join(data_dir, "member"))


def _exists(lookup, name):
    try:
        lookup(name)
    except KeyError:
        return False
    return True


def service_enabled(service, root="/"):
    """Whether ``service`` starts at boot: a systemd wants-link or an OpenRC runlevel entry."""
    patterns = (
        "etc/systemd/system/*.wants/%s.service" % service,
        "etc/runlevels/*/%s" % service,
    )
    return any(glob.glob(os.path.join(root, pattern)) for pattern in patterns)


# What ansible.builtin.setup always gathers, whatever the subset (its own list).
_MINIMAL_SUBSET = frozenset(
    [
        "apparmor",
        "caps",
        "cmdline",
        "date_time",
        "distribution",
        "dns",
        "env",
        "fips",
        "local",
        "lsb",
        "pkg_mgr",
        "platform",
        "python",
        "selinux",
        "service_mgr",
        "ssh_pub_keys",
        "user",
    ]
)


def gather_host_facts(module, gather_subset, timeout=10):
    """The host's facts for ``gather_subset``, exactly as ansible.builtin.setup gathers them (its collectors),
    so that the probe and the facts cost one round trip. Nothing is gathered for an empty subset."""
    if not gather_subset:
        return {}
    # Imported here: the controller imports this file for pem_fingerprints and needs no collector.
    from ansible.module_utils.facts import ansible_collector, default_collectors
    from ansible.module_utils.facts.collector import CollectorNotFoundError, CycleFoundInFactDeps, UnresolvedFactDep
    from ansible.module_utils.facts.namespace import PrefixFactNamespace

    try:
        collector = ansible_collector.get_ansible_collector(
            all_collector_classes=default_collectors.collectors,
            namespace=PrefixFactNamespace(namespace_name="ansible", prefix="ansible_"),
            filter_spec=[],
            gather_subset=gather_subset,
            gather_timeout=timeout,
            minimal_gather_subset=_MINIMAL_SUBSET,
        )
    except (TypeError, CollectorNotFoundError, CycleFoundInFactDeps, UnresolvedFactDep) as exc:
        raise EtcdTLSError("gather_subset %s: %s" % (", ".join(gather_subset), exc)) from None
    return collector.collect(module=module)


def probe_member(config_file, data_dir, ca_file, process="etcd", user=None, group=None, service=None, ports=()):
    """One look at a host: its conf.yml, its data, the CAs it trusts, whether etcd runs, which of ``ports`` are
    listened on, and whether its user, group and enabled service are there already."""
    try:
        found = _probe(config_file, data_dir, ca_file, process)
        found["listening"] = listening_ports(ports)
        found["user_exists"] = _exists(pwd.getpwnam, user) if user else None
        found["group_exists"] = _exists(grp.getgrnam, group) if group else None
        found["service_enabled"] = service_enabled(service) if service else None
        return found
    except OSError as exc:
        raise EtcdTLSError(
            "cannot read the member's state: %s: %s" % (exc.filename or config_file, exc.strerror)
        ) from None


def _probe(config_file, data_dir, ca_file, process):
    config = read_config(config_file)
    data_dirs = {}
    for directory in (data_dir, config["data_dir"]):
        if directory and directory not in data_dirs:
            data_dirs[directory] = has_member_data(directory)
    ca_files = config["trusted_ca_files"] or [ca_file]
    fingerprints = []
    for path in ca_files:
        for value in pem_fingerprints(_read(path)):
            if value not in fingerprints:
                fingerprints.append(value)
    processes = etcd_processes(process) if process else []
    return {
        "config_file": config_file,
        "config_exists": config["exists"],
        "config_managed": config["managed"],
        "processes": processes,
        # The host's clock, for the controller to compare with its own.
        "time": time.time(),
        "config_data_dir": config["data_dir"],
        "data_dirs": data_dirs,
        "has_data": any(data_dirs.values()),
        "ca_files": ca_files,
        "ca_fingerprints": fingerprints,
        "running": bool(processes),
    }
