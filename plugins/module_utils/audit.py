# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a member shows of its security, read on the member with the standard library only: its
conf.yml as text, the owner and mode of its files, and real connections to its own ports (a weak
cipher offered, a client certificate on the peer port, plain HTTP). The judgement is compliance.py's,
on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import pwd
import socket
import ssl
from urllib.parse import urlsplit

from ansible_collections.etcdtls.cluster.plugins.module_utils.etcdctl import probe_served_certificate
from ansible_collections.etcdtls.cluster.plugins.module_utils.probe import pem_fingerprints

# TLS 1.2 suites with CBC encryption (ECDHE key exchange): a member that accepts one accepts weak TLS.
CBC_SUITES = "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA"


def file_facts(path):
    """Owner, group and mode of ``path``, or exists false."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {"exists": False}
    except OSError as exc:
        return {"exists": False, "error": exc.strerror}

    def name(lookup, number):
        try:
            return lookup(number)[0]
        except KeyError:
            return str(number)

    return {
        "exists": True,
        "mode": "%04o" % (st.st_mode & 0o7777),
        "owner": name(pwd.getpwuid, st.st_uid),
        "group": name(grp.getgrgid, st.st_gid),
        "is_dir": os.path.isdir(path),
    }


def _address(url):
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _context(ca_file, cert_file, key_file):
    """A client context that verifies the member against ``ca_file`` (not its name) and presents a cert."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.check_hostname = False
    context.load_cert_chain(cert_file, key_file)
    return context


def offer_cbc(url, ca_file, cert_file, key_file, timeout):
    """A TLS 1.2 handshake offering CBC suites only: {"accepted": bool, "detail": ...}."""
    host, port = _address(url)
    try:
        context = _context(ca_file, cert_file, key_file)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(CBC_SUITES)
        with socket.create_connection((host, port), timeout=timeout) as sock, context.wrap_socket(sock) as tls:
            return {"accepted": True, "detail": "%s %s" % (tls.version(), tls.cipher()[0])}
    except (OSError, ssl.SSLError, ValueError) as exc:
        return {"accepted": False, "detail": str(exc)}


def client_cert_on_peer_port(url, peer_ca_file, cert_file, key_file, timeout):
    """A client certificate presented on the peer port: {"accepted": bool, "detail": ...}. The handshake may
    complete before the member checks the certificate, so it is accepted only when a request is answered."""
    host, port = _address(url)
    try:
        context = _context(peer_ca_file, cert_file, key_file)
        with socket.create_connection((host, port), timeout=timeout) as sock, context.wrap_socket(sock) as tls:
            tls.sendall(b"GET /members HTTP/1.1\r\nHost: etcd\r\nConnection: close\r\n\r\n")
            answer = tls.recv(64)
    except (OSError, ssl.SSLError, ValueError) as exc:
        return {"accepted": False, "detail": str(exc)}
    status = answer.split(b"\r\n", 1)[0].decode("latin-1")
    return {"accepted": status.startswith("HTTP/") and " 200 " in status + " ", "detail": status or "no answer"}


def plain_http(url, timeout):
    """A plain HTTP request to a member's port: {"answered": bool (a 2xx), "detail": the status line}."""
    host, port = _address(url)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"GET /health HTTP/1.0\r\n\r\n")
            answer = sock.recv(128)
    except OSError as exc:
        return {"answered": False, "detail": str(exc)}
    status = answer.split(b"\r\n", 1)[0].decode("latin-1")
    return {"answered": status.startswith("HTTP/") and status.split(" ")[1:2] in (["200"], ["204"]), "detail": status}


def audit_member(config_file, paths, client_url, peer_url, pki, timeout=5):
    """Everything the compliance checks read on one member. ``pki``: ca, peer_ca, cert, key, peer_cert, peer_key
    (the admin client's and the member's own peer pair)."""
    try:
        with open(config_file) as handle:
            config_text = handle.read()
    except OSError as exc:
        config_text = None
        config_error = "%s: %s" % (config_file, exc.strerror)
    else:
        config_error = None
    trusted = {}
    for side, path in (("client", pki["ca"]), ("peer", pki["peer_ca"])):
        try:
            with open(path, "rb") as handle:
                trusted[side] = pem_fingerprints(handle.read())
        except OSError:
            trusted[side] = []
    return {
        "trusted": trusted,
        # The files those fingerprints were read from: they describe what etcd trusts only if conf.yml names them.
        "trusted_files": {"client": pki["ca"], "peer": pki["peer_ca"]},
        "config_file": config_file,
        "config_text": config_text,
        "config_error": config_error,
        "files": dict((path, file_facts(path)) for path in paths),
        "client_url": client_url,
        "peer_url": peer_url,
        "cbc_client": offer_cbc(client_url, pki["ca"], pki["cert"], pki["key"], timeout),
        "cbc_peer": offer_cbc(peer_url, pki["peer_ca"], pki["peer_cert"], pki["peer_key"], timeout),
        "client_cert_on_peer": client_cert_on_peer_port(peer_url, pki["peer_ca"], pki["cert"], pki["key"], timeout),
        "http_client": plain_http(client_url, timeout),
        "http_peer": plain_http(peer_url, timeout),
        "served_client": probe_served_certificate(client_url, pki["ca"], pki["cert"], pki["key"], timeout),
        "served_peer": probe_served_certificate(peer_url, pki["peer_ca"], pki["peer_cert"], pki["peer_key"], timeout),
    }
