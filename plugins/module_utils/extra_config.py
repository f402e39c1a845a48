# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``etcd_extra_config`` may add to conf.yml: an allow-list, not a deny-list.

The role writes every listener, every transport-security field and every trust file of conf.yml itself, and
merges ``etcd_extra_config`` deeply over them. etcd reads conf.yml as YAML turned into JSON and decoded by Go's
encoding/json, which matches keys to settings *without regard to case* (``Data-Dir`` sets data-dir, and Unicode
folding makes a long s or a Kelvin sign match ``s`` and ``k``) and ignores keys it does not know. So:

- a key must be plain lowercase ASCII, as etcd documents it;
- keys that carry the member's identity or a role variable are never taken from extra config (:data:`OWNED`);
- only the tuning keys of :data:`TUNING`, and ``allowed-cn`` / ``allowed-hostname`` (which narrow trust) under
  ``client-transport-security`` and ``peer-transport-security``, are taken as they are;
- anything else (a listener, a TLS field, a trust file, a key this list does not know) could weaken mutual TLS, and
  needs ``etcd_allow_insecure_config: true``.

Standard library only: the preflight runs it anywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
from urllib.parse import urlsplit

from ansible_collections.etcdtls.cluster.plugins.module_utils import releases
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

INSECURE_OPT_IN = "etcd_allow_insecure_config"
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")

TLS_VERSIONS = ("TLS1.2", "TLS1.3")
# TLS 1.2 suites with ECDHE key exchange and AEAD encryption, by Go's names (etcd's).
AEAD_SUITES = (
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
)

# conf.yml keys that come from somewhere else: setting them through etcd_extra_config would bypass the checks made on
# that variable (a data dir moved behind their back) or break the cluster's identity. Refused even with the opt-in.
OWNED = {
    "name": "etcd_name",
    "data-dir": "etcd_data_dir",
    "wal-dir": "etcd_data_dir (the WAL stays in the data dir the role checks)",
    "initial-cluster": "the members of the inventory group",
    "initial-cluster-state": "the role (new for a new cluster)",
    "initial-cluster-token": "etcd_cluster_name",
    "force-new-cluster": "playbooks/restore.yml (it rewrites the membership of a running cluster)",
    "tls-min-version": "etcd_tls_min_version",
    "cipher-suites": "etcd_tls_cipher_suites",
    "heartbeat-interval": "etcd_heartbeat_interval",
    "election-timeout": "etcd_election_timeout",
    "snapshot-count": "etcd_snapshot_count",
    "quota-backend-bytes": "etcd_quota_backend_bytes",
    "auto-compaction-mode": "etcd_auto_compaction_mode",
    "auto-compaction-retention": "etcd_auto_compaction_retention",
    "strict-reconfig-check": "etcd_strict_reconfig_check",
    "log-level": "etcd_log_level",
    "listen-metrics-urls": "etcd_listen_metrics_urls",
}

# Tuning: limits, timers, storage and monitoring settings that change neither who may connect nor how. Each name as
# etcd 3.4-3.6 spell it (experimental- names too; 3.6 renamed several).
TUNING = frozenset(
    [
        "max-request-bytes",
        "max-txn-ops",
        "max-concurrent-streams",
        "max-snapshots",
        "max-wals",
        "max-learners",
        "experimental-max-learners",
        "grpc-keepalive-min-time",
        "grpc-keepalive-interval",
        "grpc-keepalive-timeout",
        "backend-batch-interval",
        "backend-batch-limit",
        "backend-bbolt-freelist-type",
        "experimental-backend-bbolt-freelist-type",
        "snapshot-catchup-entries",
        "experimental-snapshot-catchup-entries",
        "compaction-batch-limit",
        "experimental-compaction-batch-limit",
        "compaction-sleep-interval",
        "experimental-compaction-sleep-interval",
        "watch-progress-notify-interval",
        "experimental-watch-progress-notify-interval",
        "warning-apply-duration",
        "experimental-warning-apply-duration",
        "warning-unary-request-duration",
        "experimental-warning-unary-request-duration",
        "corrupt-check-time",
        "experimental-corrupt-check-time",
        "compact-hash-check-time",
        "experimental-compact-hash-check-time",
        "experimental-enable-lease-checkpoint",
        "experimental-enable-lease-checkpoint-persist",
        "experimental-memory-mlock",
        "experimental-txn-mode-write-with-shared-buffer",
        "experimental-stop-grpc-service-on-defrag",
        "experimental-bootstrap-defrag-threshold-megabytes",
        "bootstrap-defrag-threshold-megabytes",
        "initial-election-tick-advance",
        "pre-vote",
        "metrics",
        "auth-token-ttl",
        "socket-reuse-port",
        "socket-reuse-address",
        "downgrade-check-time",
        "experimental-downgrade-check-time",
    ]
)
SECURITY_SECTIONS = ("client-transport-security", "peer-transport-security")
# Under a transport-security section: these narrow who may connect.
NARROWING = frozenset(["allowed-cn", "allowed-hostname"])
URL_KEYS = ("listen-client-urls", "advertise-client-urls", "listen-peer-urls", "initial-advertise-peer-urls")
SECURITY_FILES = ("cert-file", "key-file", "trusted-ca-file")


def urls(value):
    """The URLs of a conf.yml value: a list, or one comma-separated string. etcd reads a list as its items joined
    with commas, so an item with a comma in it is several URLs, each judged."""
    items = value if isinstance(value, list) else [value or ""]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def scheme(url):
    """A URL's scheme, lowercase ("" without one)."""
    return url.split("://", 1)[0].lower() if "://" in url else ""


def is_loopback(url):
    """Whether a URL's host is a loopback address (or localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_beyond_loopback(values):
    """The URLs among ``values`` that serve plain HTTP to more than this host (the metrics rule: http on loopback)."""
    return [url for url in values if scheme(url) != "https" and not is_loopback(url)]


def check_keys(extra_config):
    """Keys as etcd would read them: each a plain lowercase ASCII name, also inside the transport sections."""
    problems = []
    for key, value in extra_config.items():
        sub = value.keys() if key in SECURITY_SECTIONS and isinstance(value, dict) else ()
        for name in [key] + ["%s.%s" % (key, item) for item in sub]:
            last = name.rsplit(".", 1)[-1] if name != key else key
            if not isinstance(last, str) or not _KEY.fullmatch(last):
                problems.append(
                    "etcd_extra_config key %r is not written as etcd documents it: etcd matches keys without regard "
                    "to case (Data-Dir sets data-dir) and folds some non-ASCII letters, so it could set a key the role "
                    "owns. Write it in lowercase ASCII" % (name,)
                )
    return problems


def _section_weakening(section, value):
    if value is None or not isinstance(value, dict):
        return [
            "%s must be a mapping of settings, not %r: it would replace the role's certificates and trust files"
            % (section, value)
        ]
    found = []
    for name, setting in value.items():
        if name in NARROWING:
            continue
        if name == "client-cert-auth" and setting is not True:
            found.append("%s.client-cert-auth %r lets clients in without a certificate" % (section, setting))
        elif name == "auto-tls" and setting:
            found.append(
                "%s.auto-tls %r replaces the cluster's certificates with self-signed ones" % (section, setting)
            )
        elif name in SECURITY_FILES and not setting:
            found.append("%s.%s is empty" % (section, name))
        elif name in SECURITY_FILES:
            found.append(
                "%s.%s %s replaces the role's file: another trust file (the system CA store, the client CA on the peer "
                "port) admits certificates the cluster's CA never issued" % (section, name, setting)
            )
        elif name in ("client-cert-auth", "auto-tls"):
            continue
        elif name == "skip-client-san-verification":
            found.append("%s.skip-client-san-verification lets a peer connect from any address" % section)
        else:
            found.append("%s.%s is not one this role knows to keep mutual TLS whole" % (section, name))
    return found


def weakening(extra_config):
    """What in ``etcd_extra_config`` is not on the allow-list, each as a sentence: it needs the opt-in."""
    found = []
    for key, value in extra_config.items():
        if key in OWNED or key in TUNING:
            continue
        if key in SECURITY_SECTIONS:
            found.extend(_section_weakening(key, value))
        elif key in URL_KEYS:
            plain = [url for url in urls(value) if scheme(url) != "https"]
            found.append(
                "%s %s %s" % (key, value, "is plain http" if plain else "replaces the role's URLs for this member")
            )
        elif key == "listen-client-http-urls":
            found.append("listen-client-http-urls %s serves the client API on a listener of its own" % (value,))
        elif key == "enable-pprof" and value is True:
            found.append("enable-pprof true serves Go's profiler on the client port")
        elif key == "enable-v2" and value is True:
            found.append("enable-v2 true serves the v2 API on the client port")
        elif key in ("enable-pprof", "enable-v2") and value is False:
            continue
        else:
            found.append(
                "%s is not on the list of tuning keys this role takes as they are (etcd ignores a key it does not "
                "know; a listener, TLS or logging key would change who may connect)" % key
            )
    return found


def _names_problem(where, value, as_list):
    """What is wrong with an allowed-cn / allowed-hostname ``value`` that etcd reads as a list (3.5.15 and later) or
    as one name (3.5.14), or None."""
    if value is None or value in ([], ""):
        return "etcd_extra_config's %s is %r: etcd would start and narrow nothing; name who may connect" % (
            where,
            value,
        )
    good = (
        isinstance(value, list) and all(isinstance(name, str) and name for name in value)
        if as_list
        else isinstance(value, str)
    )
    if good:
        return None
    return "etcd_extra_config's %s is %r: this etcd reads %s there, and would refuse to start on anything else" % (
        where,
        value,
        "a list of names (allowed-cn: [etcd1, etcd2])"
        if as_list
        else "one name (allowed-cn: etcd1; a list from 3.5.15)",
    )


def release_problems(extra_config, version, install_method="archive"):
    """What of ``etcd_extra_config`` the release ``version`` would not take as meant. etcd ignores a config-file key it
    does not know, so allowed-cn or allowed-hostname before 3.5.14 narrow nothing, without a word (commit 8bc3271af);
    3.5.14 reads each as one name, 3.5.15 and later as a list (f8befd94f); anything else stops the member (Go's JSON
    decoding), and so do both in one section (client/pkg/transport). A package's release is known only once it is
    installed, after the preflight: there the keys are refused."""
    problems = []
    for section in SECURITY_SECTIONS:
        value = extra_config.get(section) if isinstance(extra_config, dict) else None
        keys = sorted(NARROWING & set(value if isinstance(value, dict) else ()))
        if len(keys) > 1:
            problems.append(
                "etcd_extra_config's %s sets both allowed-cn and allowed-hostname, which etcd refuses to start with: "
                "keep one" % section
            )
        for key in keys:
            where = "%s.%s" % (section, key)
            if install_method == "package":
                problems.append(
                    "etcd_extra_config sets %s, and with etcd_install_method: package the release is known only once "
                    "installed, while a release before 3.5.14 would ignore it without a word and narrow nothing: use "
                    "etcd_install_method: archive with etcd_version 3.5.15 or later, or remove it" % where
                )
            elif not releases.release(version):
                continue
            elif not releases.supports(version, "config_allowed_names"):
                problems.append(
                    "etcd_extra_config sets %s, which etcd %s does not read from its config file (%s has it): it "
                    "would be ignored without a word and narrow nothing. Raise etcd_version, or remove it"
                    % (where, version, releases.ranges_text("config_allowed_names"))
                )
            else:
                found = _names_problem(where, value[key], releases.supports(version, "config_allowed_name_lists"))
                if found:
                    problems.append(found)
    return problems


def check_extra_config(
    extra_config, allow_insecure, metrics_urls=(), log_level="info", version=None, install_method="archive"
):
    """Refuse what ``etcd_extra_config`` (and the listener and logging variables beside it) must not do."""
    if not isinstance(extra_config, dict):
        raise EtcdTLSError("etcd_extra_config must be a mapping of conf.yml keys, not %r" % (extra_config,))
    problems = check_keys(extra_config) + (release_problems(extra_config, version, install_method) if version else [])
    for key, owner in sorted(OWNED.items()):
        if key in extra_config:
            problems.append(
                "etcd_extra_config sets %s, which comes from %s: set that instead (the role checks it before "
                "any change)" % (key, owner)
            )
    weak = weakening(extra_config)
    if weak and not allow_insecure:
        problems.append(
            "etcd_extra_config weakens mutual TLS: %s. Remove it; if you really want this, set %s: true "
            "(documented in roles/etcd/defaults/main.yml)" % ("; ".join(weak), INSECURE_OPT_IN)
        )
    loose = plain_beyond_loopback(urls(metrics_urls or []))
    if loose and not allow_insecure:
        problems.append(
            "etcd_listen_metrics_urls %s serves /metrics and /health in plain HTTP beyond this host (etcd's RBAC does "
            "not cover them): keep http on 127.0.0.1 or ::1, use https, or set %s: true"
            % (", ".join(loose), INSECURE_OPT_IN)
        )
    if str(log_level).lower() == "debug" and not allow_insecure:
        problems.append(
            "etcd_log_level debug also switches on Go's profiler (pprof) on the client port: use info, or set %s: true"
            % INSECURE_OPT_IN
        )
    if problems:
        raise EtcdTLSError("\n".join(problems))
