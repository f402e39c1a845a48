# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a running etcd this collection did not deploy is set to, read the way etcd itself reads it: the first part of
taking such a cluster over (playbooks/adopt.yml, issue 21).

etcd takes its settings from one of two places. With ``--config-file`` (or ETCD_CONFIG_FILE) it reads that YAML file
alone and ignores every other flag and ETCD_* variable. Without it, each flag comes from the command line, or else
from its ETCD_* variable (``--peer-cert-file`` is ETCD_PEER_CERT_FILE), or else from etcd's default. This module turns
a process's command line, its ETCD_* environment (as etcd_probe reads them from /proc) and, when there is one, its
config file (parsed YAML) into one flat dict of flag names, then into what a takeover plan reads: names, URLs and
their schemes, the TLS files on each port and whether client certificates are required. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Flags that take no value on the command line (Go's flag package: ``--flag`` is true, ``--flag=false`` false, and
# a separate ``true`` after it is not its value but the end of the flags).
BOOL_FLAGS = frozenset(
    (
        "auto-tls",
        "client-cert-auth",
        "debug",
        "enable-grpc-gateway",
        "enable-pprof",
        "enable-v2",
        "force-new-cluster",
        "peer-auto-tls",
        "peer-client-cert-auth",
        "pre-vote",
        "strict-reconfig-check",
        "version",
    )
)
# etcd's own defaults for what a plan reads (server/embed/config.go).
DEFAULTS = {
    "name": "default",
    "listen-client-urls": "http://localhost:2379",
    "advertise-client-urls": "http://localhost:2379",
    "listen-peer-urls": "http://localhost:2380",
    "initial-advertise-peer-urls": "http://localhost:2380",
    "client-cert-auth": False,
    "peer-client-cert-auth": False,
    "auto-tls": False,
    "peer-auto-tls": False,
}
# The config file's two TLS sections, each key as the flag it stands for.
_TLS_SECTIONS = {"client-transport-security": "", "peer-transport-security": "peer-"}
_TLS_KEYS = (
    "cert-file",
    "key-file",
    "trusted-ca-file",
    "client-cert-auth",
    "auto-tls",
    "allowed-cn",
    "allowed-hostname",
)


class RunningConfigError(ValueError):
    """A command line, environment or config file etcd itself would refuse."""


def _bool(value, where):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    # Go's strconv.ParseBool.
    if text in ("1", "t", "true"):
        return True
    if text in ("0", "f", "false"):
        return False
    raise RunningConfigError("%s is %r, which etcd does not read as true or false" % (where, value))


def parse_flags(args):
    """The flags of etcd's command line ``args`` (without the program), as {flag name: value}. Like Go's flag
    package: ``-x`` and ``--x`` alike, ``--x=v`` or ``--x v``, bool flags without a value, parsing ends at ``--`` or at
    the first argument that is not a flag (etcd then refuses to start: reported here too)."""
    flags = {}
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            break
        if not arg.startswith("-") or arg in ("-", "---") or arg.startswith("---"):
            raise RunningConfigError("etcd's command line has %r where a flag belongs" % arg)
        name, has_value, value = arg.lstrip("-").partition("=")
        if name in BOOL_FLAGS:
            flags[name] = _bool(value, "--" + name) if has_value else True
        elif has_value:
            flags[name] = value
        elif index < len(args):
            flags[name] = args[index]
            index += 1
        else:
            raise RunningConfigError("etcd's flag --%s has no value" % name)
    if index < len(args):
        raise RunningConfigError("etcd's command line goes on after its flags: %r" % args[index:])
    return flags


def _flag_of_env(key):
    return key[len("ETCD_") :].lower().replace("_", "-")


def _from_config(config):
    """A parsed config file's settings as flag names: its TLS sections flattened (``peer-transport-security``'s
    ``cert-file`` is ``peer-cert-file``), booleans as booleans."""
    if not isinstance(config, dict):
        raise RunningConfigError("the config file is not a YAML mapping")
    flat = {}
    for key, value in config.items():
        if key in _TLS_SECTIONS:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise RunningConfigError("the config file's %s is not a mapping" % key)
            for tls_key in _TLS_KEYS:
                if tls_key in value and value[tls_key] not in (None, ""):
                    flat[_TLS_SECTIONS[key] + tls_key] = value[tls_key]
        elif value is not None:
            flat[key] = value
    return flat


def _config_file(flags, env):
    return flags.get("config-file") or (None if "config-file" in flags else env.get("ETCD_CONFIG_FILE")) or None


def config_file(cmdline, env):
    """The config file etcd started as ``cmdline`` with ``env`` reads its settings from (None: flags and variables)."""
    return _config_file(parse_flags(list(cmdline[1:])), env)


def settings(cmdline, env, config=None):
    """What the etcd started as ``cmdline`` (program first) with the ETCD_* variables ``env`` runs with, as
    {"source": "config-file" or "flags", "config_file": path or None, "settings": {flag name: value}}, etcd's defaults
    filled in. ``config`` is the parsed config file, needed when the command line or environment names one."""
    flags = parse_flags(list(cmdline[1:]))
    config_file = _config_file(flags, env)
    if config_file:
        if config is None:
            raise RunningConfigError("etcd reads its settings from %s, which was not read" % config_file)
        found = _from_config(config)
        source = "config-file"
    else:
        found = dict((_flag_of_env(key), value) for key, value in env.items() if key.startswith("ETCD_"))
        # A flag given on the command line wins over its variable.
        found.update(flags)
        source = "flags"
    result = dict(DEFAULTS)
    for key, value in found.items():
        result[key] = _bool(value, key) if key in BOOL_FLAGS else value
    return {"source": source, "config_file": config_file or None, "settings": result}


def _urls(value):
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [item.strip() for item in items if item.strip()]


def _schemes(urls):
    schemes = sorted(set(url.partition("://")[0].lower() if "://" in url else "(none)" for url in urls))
    return "+".join(schemes)


def describe(found):
    """What a takeover plan reads of ``settings()``'s result: the member's name, data dir, URLs and their schemes, the
    TLS files of each port, and each way the member falls short of mutual TLS, as a phrase."""
    values = found["settings"]
    name = str(values["name"])
    client_urls = _urls(values["listen-client-urls"])
    peer_urls = _urls(values["listen-peer-urls"])
    described = {
        "name": name,
        "data_dir": str(values.get("data-dir") or "%s.etcd" % name),
        "source": found["source"],
        "config_file": found["config_file"],
        "listen_client_urls": client_urls,
        "advertise_client_urls": _urls(values["advertise-client-urls"]),
        "listen_peer_urls": peer_urls,
        "advertise_peer_urls": _urls(values["initial-advertise-peer-urls"]),
        "client_scheme": _schemes(client_urls),
        "peer_scheme": _schemes(peer_urls),
    }
    shortfalls = []
    for port, prefix in (("client", ""), ("peer", "peer-")):
        tls = {
            "cert_file": values.get(prefix + "cert-file"),
            "key_file": values.get(prefix + "key-file"),
            "trusted_ca_file": values.get(prefix + "trusted-ca-file"),
            "client_cert_auth": values[prefix + "client-cert-auth"],
            "auto_tls": values[prefix + "auto-tls"],
        }
        described[port + "_tls"] = tls
        scheme = described[port + "_scheme"]
        if "http" in scheme.split("+"):
            shortfalls.append(
                "its %s port serves plain http (%s)" % (port, ", ".join(described["listen_%s_urls" % port]))
            )
        if "https" in scheme.split("+"):
            if tls["auto_tls"]:
                shortfalls.append("its %s certificate is etcd's self-signed auto-tls one" % port)
            if not tls["client_cert_auth"]:
                shortfalls.append(
                    "its %s port does not require a client certificate (%sclient-cert-auth off)" % (port, prefix)
                )
            elif not tls["trusted_ca_file"]:
                shortfalls.append(
                    "its %s port names no CA to check client certificates (%strusted-ca-file)" % (port, prefix)
                )
    described["shortfalls"] = shortfalls
    return described
