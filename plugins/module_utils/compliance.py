# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance judgement of one member, on the controller: the CIS Kubernetes Benchmark's etcd
items 2.1-2.7 and this collection's own rules, each a PASS or a MISS that names what was found and
the fix. Reads what audit.py gathered on the member and its conf.yml, parsed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.etcdtls.cluster.plugins.module_utils.etcdctl import days_left
from ansible_collections.etcdtls.cluster.plugins.module_utils.extra_config import (
    AEAD_SUITES,
    NARROWING,
    SECURITY_SECTIONS,
    plain_beyond_loopback,
    urls,
)

REDEPLOY = "run site.yml (it rewrites the file and restarts the member behind the health gate)"


def _check(found, check_id, title, ok, detail, fix):
    found.append({"id": check_id, "title": title, "ok": bool(ok), "detail": detail, "fix": None if ok else fix})


# Every conf.yml key that opens a listener serving etcd's API (the metrics listener is judged on its own).
LISTENER_KEYS = ("listen-client-urls", "listen-peer-urls", "listen-client-http-urls")
# What a transport-security section may hold: the role's files and switches, and what narrows who may connect.
SECTION_KEYS = frozenset(["cert-file", "key-file", "trusted-ca-file", "client-cert-auth", "auto-tls"]) | NARROWING
# Keys beside the sections that loosen mutual TLS or serve more than the API when set.
LOOSENING_KEYS = (
    "experimental-peer-skip-client-san-verification",
    "peer-skip-client-san-verification",
    "enable-pprof",
    "enable-v2",
)


def _mode(facts):
    return int(facts.get("mode") or "0", 8)


def judge(audit, config, expect, now=None):
    """Every check for one member, in order. ``config``: conf.yml parsed (None when unreadable); ``expect``:
    user, group, data_dir, key_files, config_file, renew_days, known_cas (the controller's CA fingerprints)."""
    found = []
    config = config if isinstance(config, dict) else {}
    client = config.get("client-transport-security") or {}
    peer = config.get("peer-transport-security") or {}
    unreadable = audit.get("config_error")
    # CIS 2.1-2.3 on the client port, 2.4-2.6 the same on the peer port.
    for ids, side, name, where in (
        (("2.1", "2.2", "2.3"), client, "client", "client-transport-security"),
        (("2.4", "2.5", "2.6"), peer, "peer", "peer-transport-security"),
    ):
        prefix = "" if name == "client" else "peer "
        _check(
            found,
            ids[0],
            "%s cert-file and key-file set" % name,
            side.get("cert-file") and side.get("key-file"),
            unreadable or "%s: cert-file %s, key-file %s" % (where, side.get("cert-file"), side.get("key-file")),
            REDEPLOY,
        )
        _check(
            found,
            ids[1],
            prefix + "client-cert-auth on",
            side.get("client-cert-auth") is True,
            "%s.client-cert-auth: %s" % (where, side.get("client-cert-auth")),
            REDEPLOY,
        )
        _check(
            found,
            ids[2],
            prefix + "auto-tls off",
            side.get("auto-tls") is not True,
            "%s.auto-tls: %s" % (where, side.get("auto-tls")),
            REDEPLOY,
        )
    trusted = audit.get("trusted") or {}
    client_cas, peer_cas = set(trusted.get("client") or []), set(trusted.get("peer") or [])
    strangers = sorted((client_cas | peer_cas) - set(expect["known_cas"]))
    _check(
        found,
        "2.7",
        "a CA used only by this etcd cluster, another for peers",
        client_cas and peer_cas and not strangers and not client_cas & peer_cas,
        "client port trusts %d CA(s), peer port %d, shared %d, not this cluster's: %s"
        % (len(client_cas), len(peer_cas), len(client_cas & peer_cas), ", ".join(strangers) or "none"),
        "a CA shared with peers or not from etcd_pki_dir: run playbooks/rotate-ca.yml (it gives peers their own CA)",
    )
    files = audit.get("files") or {}
    data = files.get(expect["data_dir"]) or {}
    _check(
        found,
        "data-dir",
        "data dir 0700, owned by %s" % expect["user"],
        data.get("exists") and data.get("mode") == "0700" and data.get("owner") == expect["user"],
        "%s: %s %s:%s" % (expect["data_dir"], data.get("mode"), data.get("owner"), data.get("group")),
        "run site.yml (it restores 0700 %s:%s)" % (expect["user"], expect["group"]),
    )
    for path in expect["key_files"]:
        facts = files.get(path) or {}
        mode = _mode(facts)
        _check(
            found,
            "key",
            "%s not world-readable, not writable by %s" % (path, expect["user"]),
            facts.get("exists") and not mode & 0o007 and facts.get("owner") == "root" and not mode & 0o020,
            "%s %s:%s" % (facts.get("mode"), facts.get("owner"), facts.get("group")),
            "run site.yml (it restores 0640 root:%s)" % expect["group"],
        )
    conf = files.get(expect["config_file"]) or {}
    _check(
        found,
        "conf",
        "conf.yml not world-readable",
        conf.get("exists") and not _mode(conf) & 0o007,
        "%s: %s %s:%s" % (expect["config_file"], conf.get("mode"), conf.get("owner"), conf.get("group")),
        "run site.yml (it restores 0640 root:%s)" % expect["group"],
    )
    suites = config.get("cipher-suites") or []
    floor = config.get("tls-min-version")
    _check(
        found,
        "tls",
        "TLS 1.2 or later with AEAD suites only; CBC refused on both ports",
        (floor == "TLS1.3" or (suites and all(s in AEAD_SUITES for s in suites)))
        and not (audit.get("cbc_client") or {}).get("accepted")
        and not (audit.get("cbc_peer") or {}).get("accepted"),
        "tls-min-version %s, %d cipher suite(s); CBC offered: client %s, peer %s"
        % (
            floor or "(none)",
            len(suites),
            (audit.get("cbc_client") or {}).get("detail"),
            (audit.get("cbc_peer") or {}).get("detail"),
        ),
        "set etcd_tls_cipher_suites to ECDHE AEAD suites (the default) and %s" % REDEPLOY,
    )
    isolation = audit.get("client_cert_on_peer") or {}
    _check(
        found,
        "peer-isolation",
        "a client certificate is refused on the peer port",
        isolation and not isolation.get("accepted"),
        "admin client certificate on %s: %s" % (audit.get("peer_url"), isolation.get("detail")),
        "give peers their own CA: run playbooks/rotate-ca.yml",
    )
    # etcd matches conf.yml keys without regard to case: judge every spelling of every listener key.
    folded = {}
    for key, value in config.items():
        folded.setdefault(str(key).lower(), []).append(value)
    names = [str(key) for key in config] + [
        "%s.%s" % (section, key)
        for section in SECURITY_SECTIONS
        for key in (config.get(section) if isinstance(config.get(section), dict) else {})
    ]
    odd = sorted(name for name in names if name != name.lower() or not name.isascii())
    _check(
        found,
        "config-keys",
        "conf.yml keys written as etcd documents them (lowercase ASCII)",
        not odd,
        "keys etcd also reads, under another spelling: %s" % (", ".join(odd) or "none"),
        "remove them from etcd_extra_config and %s" % REDEPLOY,
    )
    loosening = []
    for side, name, where in (
        (client, "client", "client-transport-security"),
        (peer, "peer", "peer-transport-security"),
    ):
        read = (audit.get("trusted_files") or {}).get(name)
        if side.get("trusted-ca-file") != read:
            loosening.append("%s.trusted-ca-file is %s, not %s" % (where, side.get("trusted-ca-file"), read))
        loosening.extend("%s.%s: %r" % (where, key, value) for key, value in side.items() if key not in SECTION_KEYS)
    for key in LOOSENING_KEYS:
        loosening.extend("%s: %r" % (key, value) for value in folded.get(key, []) if value not in (None, False, ""))
    _check(
        found,
        "mtls-whole",
        "each port trusts the cluster's CA file and nothing loosens mutual TLS",
        not unreadable and not loosening,
        unreadable or "; ".join(loosening) or "trusted-ca-file as the role writes it, no SAN check skipped",
        "remove it from etcd_extra_config (etcd_allow_insecure_config lets it in) and %s" % REDEPLOY,
    )
    listeners = [url for key in LISTENER_KEYS for value in folded.get(key, []) for url in urls(value)]
    plain = [u for u in listeners if not u.lower().startswith("https://")]
    answered = [name for name in ("http_client", "http_peer") if (audit.get(name) or {}).get("answered")]
    _check(
        found,
        "https-only",
        "no plain-http or unix client or peer listener, none beside them",
        listeners and not plain and not answered,
        "http listeners: %s; plain HTTP answered on: %s" % (", ".join(plain) or "none", ", ".join(answered) or "none"),
        "remove http:// and unix:// URLs (and listen-client-http-urls) from etcd_extra_config and %s" % REDEPLOY,
    )
    metrics = [url for value in folded.get("listen-metrics-urls", []) for url in urls(value)]
    loose = plain_beyond_loopback(metrics)
    _check(
        found,
        "metrics-loopback",
        "plain-http metrics only on loopback",
        not loose,
        "listen-metrics-urls: %s" % (", ".join(metrics) or "none"),
        "set etcd_listen_metrics_urls to http://127.0.0.1:<port> (or https) and %s" % REDEPLOY,
    )
    for port in ("client", "peer"):
        served = audit.get("served_" + port) or {}
        days = days_left(served.get("not_after"), now)
        _check(
            found,
            "cert-%s" % port,
            "served %s certificate valid beyond the renewal window" % port,
            not served.get("error") and days is not None and days > expect["renew_days"],
            "%s (%s days left)" % (served.get("not_after") or served.get("error"), days),
            "playbooks/rotate-certs.yml -e etcd_pki_reissue=all",
        )
    return found
