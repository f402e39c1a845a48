# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TLS rules running.describe reads a foreign etcd by, shown by a real etcd (3.5.1) and real handshakes: a trusted
CA file alone makes the client port require a client certificate (client-cert-auth off), neither of them requires
none, and auto-tls beside a certificate of one's own is ignored (the certificate given is served)."""

import os

from local_etcd import LocalCluster, handshake

from ansible_collections.etcdtls.cluster.plugins.module_utils import running


def served(local, member, client_tls, wait=20):
    """Start ``member`` with ``client_tls``, wait for its client port, and return what running.describe says of those
    flags beside what a handshake without and with the admin certificate gives."""
    local.start(member, client_tls=client_tls)
    ca_file = os.path.join(local.pki, "ca.crt")
    try:
        result = {
            "with_cert": local.answer(member, wait=wait),
            "without_cert": handshake(member["client"], ca_file),
        }
        # Still serving after the refused handshake: the refusal was the member's, not a crash or a closed port.
        result["with_cert_after"] = local.answer(member, wait=0)
    finally:
        local.stop(member)
    flags = ["etcd", "--listen-client-urls=" + member["client"], *client_tls]
    result["described"] = running.describe(running.settings(flags, {}))["client_tls"]
    return result


def test_client_certificates_are_required_as_running_describes(tmp_path):
    local = LocalCluster(str(tmp_path / "c"), ["127.0.0.1"])
    local.build_pki()
    member = local.members[0]
    mutual = local.client_tls(member)
    cert_flags = [flag for flag in mutual if flag.split("=")[0] in ("--cert-file", "--key-file")]
    ca_flag = [flag for flag in mutual if flag.startswith("--trusted-ca-file=")]

    # A trusted CA file without client-cert-auth: the handshake needs a client certificate.
    ca_only = served(local, member, cert_flags + ca_flag)
    assert ca_only["with_cert"] is None and ca_only["with_cert_after"] is None, ca_only
    assert "certificate" in ca_only["without_cert"].lower(), ca_only
    assert ca_only["described"]["requires_client_cert"] is True

    # Neither: a client without a certificate gets in (the negative case of the one above).
    neither = served(local, member, cert_flags)
    assert neither["without_cert"] is None, neither
    assert neither["described"]["requires_client_cert"] is False

    # auto-tls beside the member's own certificate: etcd ignores it, and serves the certificate given (it verifies
    # against the cluster's CA, which a self-signed one would not), still requiring client certificates.
    auto = served(local, member, ["--auto-tls", *cert_flags, *ca_flag])
    assert auto["with_cert"] is None and auto["with_cert_after"] is None, auto
    assert "certificate" in auto["without_cert"].lower(), auto
    assert auto["described"]["auto_tls"] is False and auto["described"]["requires_client_cert"] is True
