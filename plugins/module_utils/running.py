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

from ansible_collections.etcdtls.cluster.plugins.module_utils import extra_config
from ansible_collections.etcdtls.cluster.plugins.module_utils.etcd_flags import CONFIG_KEYS, FLAGS, TLS_SECTION_KEYS

# Each flag etcd 3.4-3.7 defines by the name of the ETCD_* variable that may set it (pkg/flags FlagToEnv).
_ENV_FLAGS = dict(("ETCD_" + name.replace("-", "_").upper(), name) for name in FLAGS)
# Variables etcd reads itself or drops: the config file is looked up on its own, ETCD_VERSION is unset unread.
_ENV_NOT_FLAGS = ("ETCD_CONFIG_FILE", "ETCD_VERSION")
# The flags that hold URLs (flags.UniqueURLs).
_URL_FLAGS = frozenset(name for name in FLAGS if name.endswith("-urls"))
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
# The config file's top-level keys for the client URLs etcd serves (listen-client-http-urls: 3.5 and later).
_CLIENT_LISTENERS = ("listen-client-urls", "listen-client-http-urls")
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


def _set_urls(flags, name, value):
    """A URL flag set to ``value`` as etcd's UniqueURLs does it: an empty value, or one URL it already has, keeps the
    list it has (etcd's default at first); anything else replaces it."""
    current = flags.get(name, DEFAULTS.get(name, ""))
    if value == "" or value in _urls(current):
        return current
    return value


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
        if name not in FLAGS:
            raise RunningConfigError("etcd's command line has --%s, a flag no etcd release defines" % name)
        if FLAGS[name][0] == "ignored":
            continue
        if FLAGS[name][0] == "bool":
            flags[name] = _bool(value, "--" + name) if has_value else True
            continue
        if not has_value:
            if index >= len(args):
                raise RunningConfigError("etcd's flag --%s has no value" % name)
            value = args[index]
            index += 1
        flags[name] = _set_urls(flags, name, value) if name in _URL_FLAGS else value
    if index < len(args):
        raise RunningConfigError("etcd's command line goes on after its flags: %r" % args[index:])
    return flags


def _folded(mapping, where, known):
    """``mapping``'s keys as etcd matches them to its settings: Go's encoding/json ignores case. Two keys that differ
    only in case set one setting, which etcd takes from whichever it reads last: refused here. So is a key that is
    not one of ``known`` (the json tags of etcd's config structs): etcd ignores most such keys, but it also matches
    the Go names of its untagged fields (``ListenClientUrls``, ``PeerTLSInfo``), which this reader does not follow."""
    folded = {}
    for key, value in mapping.items():
        if not isinstance(key, str) or not key.isascii() or key.lower() not in known:
            raise RunningConfigError("%s has the key %r, which is not one etcd reads" % (where, key))
        if key.lower() in folded:
            raise RunningConfigError("%s sets %s twice, in keys that differ only in case" % (where, key.lower()))
        folded[key.lower()] = value
    return folded


def _from_config(config):
    """A parsed config file's settings as flag names: its TLS sections flattened (``peer-transport-security``'s
    ``cert-file`` is ``peer-cert-file``), keys folded to lowercase as etcd matches them."""
    if not isinstance(config, dict):
        raise RunningConfigError("the config file is not a YAML mapping")
    flat = {}
    for key, value in _folded(config, "the config file", CONFIG_KEYS).items():
        if key in _TLS_SECTIONS:
            if value is None:
                continue
            if not isinstance(value, dict):
                raise RunningConfigError("the config file's %s is not a mapping" % key)
            section = _folded(value, "the config file's " + key, TLS_SECTION_KEYS)
            for tls_key in _TLS_KEYS:
                if section.get(tls_key) not in (None, ""):
                    flat[_TLS_SECTIONS[key] + tls_key] = section[tls_key]
        elif value is not None and not (key in _URL_FLAGS and value == ""):
            # An empty URL list in the file keeps etcd's default (configFromFile parses only what is there).
            flat[key] = value
    return flat


def _config_file(flags, env):
    # An empty --config-file is no config file: etcd looks at ETCD_CONFIG_FILE then.
    return flags.get("config-file") or env.get("ETCD_CONFIG_FILE") or None


def config_file(cmdline, env):
    """The config file etcd started as ``cmdline`` with ``env`` reads its settings from (None: flags and variables)."""
    return _config_file(parse_flags(list(cmdline[1:])), env)


def _from_env(env, flags):
    """The ETCD_* variables etcd reads as flags (pkg/flags SetFlagsFromEnv): one for each flag it defines, an empty
    one unread; etcd refuses to start when a flag is given both ways."""
    found = {}
    for key, value in env.items():
        if key in _ENV_NOT_FLAGS or key not in _ENV_FLAGS:
            continue
        if _ENV_FLAGS[key] in flags:
            raise RunningConfigError("etcd refuses to start with both --%s and %s" % (_ENV_FLAGS[key], key))
        if value != "" and FLAGS[_ENV_FLAGS[key]][0] != "ignored":
            found[_ENV_FLAGS[key]] = value
    return found


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
        found = _from_env(env, flags)
        found.update(flags)
        source = "flags"
    result = dict(DEFAULTS)
    for key, value in found.items():
        result[key] = _bool(value, key) if FLAGS.get(key, ("",))[0] == "bool" else value
    return {"source": source, "config_file": config_file or None, "settings": result}


def _urls(value):
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not all(isinstance(item, str) for item in items):
        raise RunningConfigError("a URL list holds %r, which is not a URL" % (value,))
    return extra_config.urls(items)


# Schemes etcd listens on without TLS, and with it (unix sockets too: unixs is TLS).
_PLAIN = ("http", "unix")
_TLS = ("https", "unixs")


def _schemes(urls):
    return "+".join(sorted(set(extra_config.scheme(url) or "(none)" for url in urls)))


def describe(found):
    """What a takeover plan reads of ``settings()``'s result: the member's name, data dir, URLs and their schemes, the
    TLS files of each port, and each way the member falls short of mutual TLS, as a phrase.

    As etcd (3.4-3.7) serves it: a port requires a client certificate when it has a trusted CA file or client-cert-auth
    (client/pkg/transport ServerConfig); auto-tls is ignored when a certificate or key is given, and otherwise replaces
    the port's TLS with a self-signed certificate that checks no client certificate (embed ClientSelfCert)."""
    values = found["settings"]
    name = str(values["name"])
    client_urls = [url for key in _CLIENT_LISTENERS for url in _urls(values.get(key) or "")]
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
        given = values.get(prefix + "cert-file") or values.get(prefix + "key-file")
        auto_tls = bool(values[prefix + "auto-tls"]) and not given
        tls = {
            "cert_file": None if auto_tls else values.get(prefix + "cert-file"),
            "key_file": None if auto_tls else values.get(prefix + "key-file"),
            "trusted_ca_file": None if auto_tls else values.get(prefix + "trusted-ca-file"),
            "client_cert_auth": False if auto_tls else bool(values[prefix + "client-cert-auth"]),
            "auto_tls": auto_tls,
        }
        tls["requires_client_cert"] = tls["client_cert_auth"] or bool(tls["trusted_ca_file"])
        described[port + "_tls"] = tls
        schemes = described[port + "_scheme"].split("+")
        plain = [url for url in described["listen_%s_urls" % port] if extra_config.scheme(url) in _PLAIN]
        if plain:
            shortfalls.append("its %s port serves plain http (%s)" % (port, ", ".join(plain)))
        if not any(scheme in _TLS for scheme in schemes):
            continue
        if auto_tls:
            shortfalls.append(
                "its %s certificate is etcd's self-signed auto-tls one, which checks no client certificate" % port
            )
        elif not tls["requires_client_cert"]:
            shortfalls.append(
                "its %s port does not require a client certificate (neither %sclient-cert-auth nor %strusted-ca-file)"
                % (port, prefix, prefix)
            )
        elif not tls["trusted_ca_file"]:
            shortfalls.append(
                "its %s port checks client certificates against the system's CAs, not a CA of its own (%strusted-ca-"
                "file unset)" % (port, prefix)
            )
    described["shortfalls"] = shortfalls
    return described
