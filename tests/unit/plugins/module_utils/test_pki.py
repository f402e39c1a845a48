# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side PKI, checked on the files it writes with cryptography and openssl."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress
import os
import shutil
import stat
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ansible_collections.etcdtls.cluster.plugins.module_utils import certs, files, pki, pki_input
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

# openssl is a test requirement (scripts/bootstrap.sh installs it): no skip when it is missing.
OPENSSL = shutil.which("openssl") or "openssl"
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)

MEMBERS = [
    {
        "name": "x-k3s-m-1",
        "ips": ["192.168.7.11"],
        "fqdn": "x-k3s-m-1.edge.huatai.me",
        "extra_sans": ["etcd.edge.huatai.me", "192.168.7.100"],
    },
    {"name": "x-k3s-m-2", "ips": ["192.168.7.12", "fd00::12"]},
    {"name": "x-k3s-m-3", "ips": ["192.168.7.13"]},
]
CLIENTS = [{"name": "apisix"}, {"name": "kube-apiserver", "organization": "system:masters"}]


def run(path, members=None, clients=None, check_mode=False, now=NOW, **settings):
    members = pki_input.parse_members(MEMBERS if members is None else members)
    clients = pki_input.parse_clients(CLIENTS if clients is None else clients)
    return pki.ensure_pki(pki.PkiSettings(str(path), **settings), members, clients, check_mode=check_mode, now=now)


def load_cert(path):
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read())


def load_key(path, password=None):
    with open(path, "rb") as handle:
        return serialization.load_pem_private_key(handle.read(), password=password)


def sans(cert):
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return sorted(ext.get_values_for_type(x509.DNSName)), sorted(
        str(i) for i in ext.get_values_for_type(x509.IPAddress)
    )


def eku(cert):
    return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def cn(cert):
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def files_state(root):
    state = {}
    for base, dirs, names in os.walk(str(root)):
        # The lock file is the run's own bookkeeping (who holds the directory), rewritten by every run.
        for name in [n for n in dirs + names if n != ".lock"]:
            full = os.path.join(base, name)
            st = os.stat(full)
            content = None
            if os.path.isfile(full):
                with open(full, "rb") as handle:
                    content = handle.read()
            state[os.path.relpath(full, str(root))] = (stat.S_IMODE(st.st_mode), content)
    return state


@pytest.fixture
def first_run(tmp_path):
    """A PKI built once: (directory, result of that first run)."""
    path = tmp_path / "pki"
    return path, run(path)


@pytest.fixture
def built(first_run):
    return first_run[0]


# ------------------------------------------------------------------ the CA


def test_ca_properties(first_run):
    path, result = first_run
    ca = load_cert(path / "ca.crt")
    assert ca.issuer == ca.subject
    assert cn(ca) == "etcd-ca"
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca is True
    ku = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign and not ku.value.digital_signature
    with pytest.raises(x509.ExtensionNotFound):
        ca.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(ca.public_key())
    key = load_key(path / "ca.key")
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert ca.not_valid_after_utc - NOW == datetime.timedelta(days=3650)
    assert result.ca["created"] is True and result.ca["key"] == "ecdsa-256"
    assert {"id": "ca", "reason": "missing", "not_after": result.ca["not_after"]} in result.issued


@pytest.mark.parametrize("size", [2048, 3072])
def test_rsa_keys(tmp_path, size):
    run(tmp_path, members=MEMBERS[:1], clients=[], key_spec=certs.KeySpec("rsa", size))
    for name in ("ca.key", "members/x-k3s-m-1/server.key", "members/x-k3s-m-1/peer.key", "clients/admin.key"):
        key = load_key(tmp_path / name)
        assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == size
    leaf = load_cert(tmp_path / "members/x-k3s-m-1/server.crt")
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.key_encipherment


def test_ca_passphrase(tmp_path):
    run(tmp_path, ca_passphrase="s3cret")
    with open(str(tmp_path / "ca.key"), "rb") as handle:
        assert b"ENCRYPTED" in handle.read()
    load_key(tmp_path / "ca.key", b"s3cret")
    assert not run(tmp_path, ca_passphrase="s3cret").changed
    with pytest.raises(EtcdTLSError, match="is encrypted: set ca_passphrase"):
        run(tmp_path)
    with pytest.raises(EtcdTLSError, match="could not be decrypted"):
        run(tmp_path, ca_passphrase="wrong")


# ------------------------------------------------------------------ leaves


def test_server_cert(built):
    path = built
    cert = load_cert(path / "members/x-k3s-m-1/server.crt")
    assert cn(cert) == "x-k3s-m-1"
    assert sans(cert) == (
        sorted(["x-k3s-m-1", "x-k3s-m-1.edge.huatai.me", "etcd.edge.huatai.me", "localhost"]),
        sorted(["192.168.7.11", "192.168.7.100", "127.0.0.1", "::1"]),
    )
    assert eku(cert) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca is False
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca = load_cert(path / "ca.crt")
    assert aki.key_identifier == ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def test_peer_cert_has_member_ips_only(built):
    path = built
    one = load_cert(path / "members/x-k3s-m-1/peer.crt")
    assert sans(one) == (["x-k3s-m-1", "x-k3s-m-1.edge.huatai.me"], ["192.168.7.11"])
    two = load_cert(path / "members/x-k3s-m-2/peer.crt")
    assert sans(two) == (["x-k3s-m-2"], ["192.168.7.12", "fd00::12"])
    assert eku(two) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}


def test_client_certs(built):
    path = built
    admin = load_cert(path / "clients/admin.crt")
    assert cn(admin) == "root"
    assert eku(admin) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    with pytest.raises(x509.ExtensionNotFound):
        admin.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    kube = load_cert(path / "clients/kube-apiserver.crt")
    assert cn(kube) == "kube-apiserver"
    assert kube.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    assert eku(load_cert(path / "clients/apisix.crt")) == {ExtendedKeyUsageOID.CLIENT_AUTH}


def test_lifetimes_backdating_and_serials(first_run):
    result = first_run[1]
    serials = set()
    for item in result.certificates:
        cert = load_cert(item["path"])
        assert cert.not_valid_before_utc == NOW - datetime.timedelta(hours=1)
        assert cert.not_valid_after_utc == NOW + datetime.timedelta(days=365)
        serials.add(cert.serial_number)
        assert cert.serial_number.bit_length() > 100
    assert len(serials) == len(result.certificates) == 3 * 2 + 1 + 2


def test_every_leaf_has_its_own_key(first_run):
    result = first_run[1]
    keys = set()
    for item in result.certificates:
        key = load_key(item["key_path"])
        assert certs.key_matches_cert(key, load_cert(item["path"]))
        keys.add(certs._public_bytes(key))
    assert len(keys) == len(result.certificates)


def test_openssl_verifies_chain_and_sans(first_run):
    path, result = first_run
    for item in result.certificates:
        # Peer certificates come from the peer CA, which only the peer port trusts; the rest from ca.crt.
        peer = item["id"].endswith("/peer")
        subprocess.run(
            [OPENSSL, "verify", "-CAfile", str(path / ("peer-ca.crt" if peer else "ca.crt")), item["path"]],
            check=True,
            capture_output=True,
        )
        assert verifies(path / ("ca.crt" if peer else "peer-ca.crt"), item["path"]) is False
        for ip in item["ip_addresses"]:
            out = subprocess.run(
                [OPENSSL, "x509", "-in", item["path"], "-noout", "-checkip", ip],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            assert "does match" in out
        for name in item["dns_names"]:
            out = subprocess.run(
                [OPENSSL, "x509", "-in", item["path"], "-noout", "-checkhost", name],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            assert "does match" in out
    # A peer cert must NOT match the other members' IPs, nor the VIP.
    out = subprocess.run(
        [OPENSSL, "x509", "-in", str(path / "members/x-k3s-m-1/peer.crt"), "-noout", "-checkip", "192.168.7.12"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "does NOT match" in out
    out = subprocess.run(
        [OPENSSL, "x509", "-in", str(path / "members/x-k3s-m-1/peer.crt"), "-noout", "-checkip", "192.168.7.100"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert "does NOT match" in out


def test_openssl_checks_purposes(built):
    path = built
    ca = str(path / "ca.crt")
    server = str(path / "members/x-k3s-m-1/server.crt")
    admin = str(path / "clients/admin.crt")
    for purpose in ("sslserver", "sslclient"):
        subprocess.run([OPENSSL, "verify", "-purpose", purpose, "-CAfile", ca, server], check=True, capture_output=True)
    subprocess.run([OPENSSL, "verify", "-purpose", "sslclient", "-CAfile", ca, admin], check=True, capture_output=True)
    refused = subprocess.run(
        [OPENSSL, "verify", "-purpose", "sslserver", "-CAfile", ca, admin], capture_output=True, check=False
    )
    assert refused.returncode != 0


# ------------------------------------------------------------------ idempotence and re-issue


def test_second_run_changes_nothing(built):
    path = built
    before = files_state(path)
    second = run(path)
    assert not second.changed
    assert second.issued == [] and second.fixed == []
    assert all(item["action"] == "unchanged" for item in second.certificates)
    assert files_state(path) == before


def test_renewal_inside_window_keeps_key(built):
    path = built
    key_before = files_state(path)["members/x-k3s-m-1/server.key"]
    later = NOW + datetime.timedelta(days=365 - 29)
    result = run(path, now=later)
    assert result.changed
    renewed = {item["id"]: item["reason"] for item in result.issued}
    assert len(renewed) == 9
    assert "inside the 30-day renewal window" in renewed["members/x-k3s-m-1/server"]
    assert files_state(path)["members/x-k3s-m-1/server.key"] == key_before
    cert = load_cert(path / "members/x-k3s-m-1/server.crt")
    assert cert.not_valid_after_utc == later + datetime.timedelta(days=365)
    assert not run(path, now=later).changed


def test_no_renewal_outside_window(built):
    path = built
    assert not run(path, now=NOW + datetime.timedelta(days=365 - 31)).changed


def test_expired_leaf_is_reissued(built):
    path = built
    result = run(path, now=NOW + datetime.timedelta(days=400))
    assert all(item["reason"].startswith("expired on") for item in result.issued)


def test_leaves_capped_at_ca_expiry_do_not_loop(tmp_path):
    run(tmp_path, ca_days=400, leaf_days=365, renew_days=30)
    late = NOW + datetime.timedelta(days=380)
    first = run(tmp_path, ca_days=400, leaf_days=365, renew_days=30, now=late)
    assert first.changed and any("expires on" in w for w in first.warnings)
    cert = load_cert(tmp_path / "clients/admin.crt")
    assert cert.not_valid_after_utc == load_cert(tmp_path / "ca.crt").not_valid_after_utc
    assert not run(tmp_path, ca_days=400, leaf_days=365, renew_days=30, now=late).changed


def test_san_change_reissues_only_that_member(built):
    path = built
    members = [dict(m) for m in MEMBERS]
    members[2]["ips"] = ["192.168.7.23"]
    result = run(path, members=members)
    assert [(i["id"], i["reason"]) for i in result.issued] == [
        ("members/x-k3s-m-3/server", "SANs differ: +IP:192.168.7.23 -IP:192.168.7.13"),
        ("members/x-k3s-m-3/peer", "SANs differ: +IP:192.168.7.23 -IP:192.168.7.13"),
    ]
    assert sans(load_cert(path / "members/x-k3s-m-3/peer.crt"))[1] == ["192.168.7.23"]


def test_extra_san_goes_to_server_cert_only(built):
    path = built
    members = [dict(m) for m in MEMBERS]
    members[1]["extra_sans"] = ["etcd.example.org"]
    result = run(path, members=members)
    assert [i["id"] for i in result.issued] == ["members/x-k3s-m-2/server"]


def test_ca_change_reissues_everything(built):
    path = built
    other = certs.CertificateAuthority.create("etcd-ca", certs.KeySpec(), 3650, NOW)
    files.atomic_write(str(path / "ca.key"), certs.serialize_key(other.key), 0o600)
    files.atomic_write(str(path / "ca.crt"), certs.serialize_cert(other.cert), 0o644)
    result = run(path)
    # The peer certificates come from peer-ca, which did not change.
    assert len(result.issued) == 6
    assert {i["reason"] for i in result.issued} == {"not issued by the current CA"}
    for item in result.certificates:
        assert other.issued(load_cert(item["path"])) is not item["id"].endswith("/peer")


def test_missing_ca_makes_new_pki(built):
    path = built
    os.unlink(str(path / "ca.crt"))
    os.unlink(str(path / "ca.key"))
    result = run(path)
    assert result.issued[0]["id"] == "ca"
    assert {i["reason"] for i in result.issued[1:]} == {"new CA"}


def test_lost_ca_key_is_an_error_that_writes_nothing(built):
    path = built
    os.unlink(str(path / "ca.key"))
    before = files_state(path)
    with pytest.raises(EtcdTLSError, match=r"ca\.crt exists but .*ca\.key is missing"):
        run(path)
    assert files_state(path) == before


def test_lost_ca_cert_is_rebuilt_from_key_without_reissuing_leaves(built):
    path = built
    os.unlink(str(path / "ca.crt"))
    result = run(path)
    assert [i["id"] for i in result.issued] == ["ca"]
    ca = certs.CertificateAuthority(load_cert(path / "ca.crt"), load_key(path / "ca.key"))
    assert ca.issued(load_cert(path / "members/x-k3s-m-1/server.crt"))


def test_expired_ca_is_an_error(tmp_path):
    run(tmp_path, ca_days=30, leaf_days=20, renew_days=5)
    with pytest.raises(EtcdTLSError, match=r"expired on .*rotate the CA"):
        run(tmp_path, ca_days=30, leaf_days=20, renew_days=5, now=NOW + datetime.timedelta(days=31))


def test_key_mismatch_reissues_with_the_key_on_disk(built):
    path = built
    stray = certs.KeySpec().generate()
    files.atomic_write(str(path / "members/x-k3s-m-2/peer.key"), certs.serialize_key(stray), 0o600)
    result = run(path)
    assert [(i["id"], i["reason"]) for i in result.issued] == [
        ("members/x-k3s-m-2/peer", "key does not match the certificate")
    ]
    assert certs.key_matches_cert(stray, load_cert(path / "members/x-k3s-m-2/peer.crt"))


def test_key_type_change_regenerates_keys(built):
    path = built
    result = run(path, members=MEMBERS[:1], clients=[], key_spec=certs.KeySpec("ecdsa", 384))
    assert {i["reason"] for i in result.issued} == {"key type ecdsa-256, wanted ecdsa-384"}
    key = load_key(path / "members/x-k3s-m-1/server.key")
    assert key.curve.name == "secp384r1"


def test_missing_and_damaged_files(built):
    path = built
    os.unlink(str(path / "clients/apisix.crt"))
    with open(str(path / "members/x-k3s-m-1/server.crt"), "wb") as handle:
        handle.write(b"garbage")
    os.unlink(str(path / "members/x-k3s-m-3/peer.key"))
    with open(str(path / "members/x-k3s-m-2/server.key"), "wb") as handle:
        handle.write(b"-----BEGIN PRIVATE KEY-----\ntruncated")
    reasons = {i["id"]: i["reason"] for i in run(path).issued}
    assert reasons == {
        "clients/apisix": "missing",
        "members/x-k3s-m-1/server": "certificate unreadable",
        "members/x-k3s-m-3/peer": "key missing",
        "members/x-k3s-m-2/server": "key unreadable",
    }
    assert not run(path).changed


def test_reissue_on_demand(built):
    path = built
    old = load_cert(path / "members/x-k3s-m-1/server.crt")
    result = run(path, reissue=["members/x-k3s-m-1/server"], regenerate_keys=True)
    assert [(i["id"], i["reason"]) for i in result.issued] == [("members/x-k3s-m-1/server", "re-issue requested")]
    new = load_cert(path / "members/x-k3s-m-1/server.crt")
    assert new.serial_number != old.serial_number
    assert new.public_key().public_numbers() != old.public_key().public_numbers()
    assert len(run(path, reissue=["all"]).issued) == 9
    with pytest.raises(EtcdTLSError, match="reissue names unknown certificates: members/nope/server"):
        run(path, reissue=["members/nope/server"])


def test_client_change(built):
    path = built
    result = run(path, clients=[{"name": "apisix", "organization": "gateways"}, CLIENTS[1]])
    assert [(i["id"], i["reason"]) for i in result.issued] == [("clients/apisix", "O (none), wanted gateways")]
    result = run(path, admin_common_name="etcd-admin")
    assert (result.issued[0]["id"], result.issued[0]["reason"]) == ("clients/admin", "CN root, wanted etcd-admin")


def test_json_api_client_has_no_common_name(built):
    """etcd answers a gateway request from a certificate with a CN, once auth is on, with 400 "CommonName
    of client sending a request against gateway will be ignored": a JSON-API client's certificate has none."""
    path = built
    result = run(path, clients=[{"name": "apisix", "api": "json"}, CLIENTS[1]])
    assert [(i["id"], i["reason"]) for i in result.issued] == [("clients/apisix", "CN apisix, wanted (none)")]
    cert = load_cert(path / "clients/apisix.crt")
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME) == []
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "apisix"
    assert eku(cert) == {ExtendedKeyUsageOID.CLIENT_AUTH}
    assert [i["common_name"] for i in result.certificates if i["id"] == "clients/apisix"] == [None]
    assert run(path, clients=[{"name": "apisix", "api": "json"}, CLIENTS[1]]).issued == []
    # Back to gRPC: the CN returns.
    result = run(path)
    assert [(i["id"], i["reason"]) for i in result.issued] == [("clients/apisix", "CN (none), wanted apisix")]
    client = pki_input.parse_clients([{"name": "gw", "api": "json"}])[0]
    assert (client.user, client.common_name, client.organization) == ("gw", None, "gw")
    assert pki_input.parse_clients([{"name": "k", "common_name": "kube"}])[0].user == "kube"


# ------------------------------------------------------------------ files


def test_permissions(built):
    path = built
    for relative, (mode, content) in files_state(path).items():
        if content is None:
            assert mode == 0o700, relative
        elif relative.endswith(".key"):
            assert mode == 0o600, relative
        else:
            assert mode == 0o644, relative


def test_loose_permissions_are_fixed(built):
    path = built
    os.chmod(str(path / "ca.key"), 0o644)
    os.chmod(str(path / "members"), 0o755)
    preview = run(path, check_mode=True)
    assert preview.changed and stat.S_IMODE(os.stat(str(path / "ca.key")).st_mode) == 0o644
    result = run(path)
    assert sorted(f["path"] for f in result.fixed) == sorted([str(path / "ca.key"), str(path / "members")])
    assert stat.S_IMODE(os.stat(str(path / "ca.key")).st_mode) == 0o600
    assert not run(path).changed


def test_interrupted_write_leaves_previous_file(built, monkeypatch):
    path = built
    target = path / "members/x-k3s-m-1/server.crt"
    before = files_state(path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        run(path, reissue=["members/x-k3s-m-1/server"], regenerate_keys=True)
    assert files_state(path) == before, "no temp file left, no file touched"
    monkeypatch.undo()
    assert load_cert(target)


def test_interrupted_midway_through_writing(tmp_path, monkeypatch):
    path = tmp_path / "pki"
    run(path)
    before = files_state(path)
    real_fdopen = os.fdopen
    calls = []

    class Torn(object):
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    def torn_fdopen(fd, mode="r", *args, **kwargs):
        calls.append(fd)
        return Torn(real_fdopen(fd, mode, *args, **kwargs))

    monkeypatch.setattr(os, "fdopen", torn_fdopen)
    with pytest.raises(EtcdTLSError, match="No space left on device"):
        run(path, reissue=["all"], regenerate_keys=True)
    monkeypatch.undo()
    assert calls
    assert files_state(path) == before


def test_key_renamed_but_cert_not_recovers_next_run(built, monkeypatch):
    """A crash between the key's rename and the cert's rename: the commit's journal is there, and the next run
    finishes it before it reads anything (the key and the certificate then match: nothing to re-issue)."""
    path = built
    real_replace = os.replace
    seen = []

    def replace_then_crash(src, dst):
        seen.append(dst)
        if dst.endswith(".crt"):
            raise KeyboardInterrupt("crash")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_crash)
    with pytest.raises(KeyboardInterrupt):
        run(path, reissue=["members/x-k3s-m-1/peer"], regenerate_keys=True)
    monkeypatch.undo()
    result = run(path)
    assert result.issued == []
    assert result.changed and "finished the commit an interrupted run left" in result.fixed[0]["reason"]
    assert not run(path).changed


# ------------------------------------------------------------------ check mode


def test_check_mode_on_empty_dir_writes_nothing(tmp_path):
    path = tmp_path / "pki"
    result = run(path, check_mode=True)
    assert result.changed
    assert not path.exists()
    assert len(result.issued) == 11
    assert [i["id"] for i in result.issued[:2]] == ["ca", "peer-ca"]


def test_check_mode_reports_without_writing(built):
    path = built
    before = files_state(path)
    members = [dict(m) for m in MEMBERS]
    members[0]["ips"] = ["192.168.7.21"]
    result = run(path, members=members, check_mode=True)
    assert [i["id"] for i in result.issued] == ["members/x-k3s-m-1/server", "members/x-k3s-m-1/peer"]
    assert files_state(path) == before
    diff = result.diff()
    assert "members/x-k3s-m-1/peer: SANs differ" in diff["before"]
    assert "members/x-k3s-m-1/peer: issued, valid until" in diff["after"]


def test_result_carries_no_key_material(first_run):
    result = first_run[1]
    text = repr(result.as_dict())
    assert "PRIVATE" not in text and "BEGIN" not in text


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "members, message",
    [
        ([], "members is empty"),
        (
            [{"name": "a", "ips": ["10.0.0.1"]}, {"name": "a", "ips": ["10.0.0.2"]}],
            "member a: the name is also the name or FQDN of member a",
        ),
        (
            [{"name": "a", "ips": ["10.0.0.1"]}, {"name": "b", "ips": ["10.0.0.1"]}],
            "member b: IP 10.0.0.1 is also the IP of member a",
        ),
        ([{"name": "a", "ips": ["10.0.0.300"]}], "member a: etcd_address: '10.0.0.300' is not an IP address"),
        ([{"name": "a", "ips": []}], "member a: no IP address; set etcd_address"),
        ([{"name": "bad_name", "ips": ["10.0.0.1"]}], "member #1 name 'bad_name' is not usable"),
        (
            [{"name": "a", "ips": ["10.0.0.1"], "extra_sans": ["not a name"]}],
            "member a: extra_sans: 'not a name' is neither an IP address nor a valid DNS name",
        ),
        ([{"name": "a", "ips": ["10.0.0.1"], "fqdn": "-bad-"}], "member a: etcd_fqdn"),
    ],
)
def test_bad_members(tmp_path, members, message):
    with pytest.raises(EtcdTLSError, match=message):
        pki_input.parse_members(members)


@pytest.mark.parametrize(
    "clients, message",
    [
        ([{"name": "admin"}], "reserved for the admin client"),
        ([{"name": "x"}, {"name": "x"}], "client x: the name appears twice"),
        ([{"name": "a/b"}], "client #1 name 'a/b' is not usable"),
        ([{"name": "a", "api": "rest"}], "client a: api 'rest' is not one of grpc, json"),
        ([{"name": "a", "api": "json", "common_name": "x"}], "client a: a JSON-API client's certificate has no CN"),
    ],
)
def test_bad_clients(clients, message):
    with pytest.raises(EtcdTLSError, match=message):
        pki_input.parse_clients(clients)


@pytest.mark.parametrize(
    "key_type, key_size, message",
    [
        ("dsa", None, "key_type 'dsa' is not supported"),
        ("rsa", 1024, "key_size 1024 is not supported for key_type rsa"),
        ("ecdsa", 521, "key_size 521 is not supported for key_type ecdsa"),
    ],
)
def test_bad_key_spec(key_type, key_size, message):
    with pytest.raises(EtcdTLSError, match=message):
        certs.KeySpec(key_type, key_size)


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"renew_days": 400}, "renew_days .* must be at least 0 and smaller than leaf_days"),
        ({"leaf_days": 0}, r"leaf_days \(0\) must be at least 1"),
        ({"leaf_days": 4000}, "must not exceed ca_days"),
    ],
)
def test_bad_settings(tmp_path, settings, message):
    with pytest.raises(EtcdTLSError, match=message):
        pki.PkiSettings(str(tmp_path), **settings)
    with pytest.raises(EtcdTLSError, match="must be an absolute directory"):
        pki.PkiSettings("relative/dir")


def test_ip_normalisation_and_duplicates_within_member():
    members = pki_input.parse_members([{"name": "a", "ips": ["10.0.0.1", " 10.0.0.1 "]}])
    assert members[0].ips == [ipaddress.ip_address("10.0.0.1")]


def test_the_layout_names_every_file_that_exists(tmp_path):
    result = run(tmp_path / "pki", check_mode=True)
    layout = result.layout
    assert layout["ca"] == {"cert": str(tmp_path / "pki" / "ca.crt")}
    assert sorted(layout["members"]) == ["x-k3s-m-1", "x-k3s-m-2", "x-k3s-m-3"]
    assert sorted(layout["clients"]) == ["admin", "apisix", "kube-apiserver"]
    built = run(tmp_path / "pki")
    paths = [layout["ca"]["cert"]]
    paths += [p for m in built.layout["members"].values() for kind in m.values() for p in kind.values()]
    paths += [p for c in built.layout["clients"].values() for p in c.values()]
    assert all(os.path.isfile(p) for p in paths) and len(paths) == 1 + 3 * 4 + 3 * 2


# ------------------------------------------------------------------ CA rotation


def verifies(ca_file, cert_file):
    return (
        subprocess.run([OPENSSL, "verify", "-CAfile", str(ca_file), str(cert_file)], capture_output=True).returncode
        == 0
    )


def test_ca_rotation_phases(first_run):
    path, first = first_run
    old_ca = (path / "ca.crt").read_bytes()
    leaf = path / "members" / "x-k3s-m-1" / "peer.crt"
    old_leaf = leaf.read_bytes()

    trust = run(path, ca_rotation="trust")
    assert trust.changed and trust.ca_rotation["phase"] == 1
    assert trust.layout["ca"]["cert"] == str(path / "ca-bundle.crt")
    bundle = (path / "ca-bundle.crt").read_bytes()
    assert bundle == old_ca + (path / "ca-next.crt").read_bytes()
    # Phase 1 issues nothing from the new CA yet: the leaves are untouched, and the old CA still issues.
    assert leaf.read_bytes() == old_leaf and (path / "ca.crt").read_bytes() == old_ca
    assert [i["id"] for i in trust.issued] == ["ca-rotation", "ca-next", "peer-ca-next"]
    assert cn(load_cert(path / "ca-next.crt")).startswith("etcd-ca 2026")
    assert stat.S_IMODE(os.stat(path / "ca-next.key").st_mode) == 0o600
    # A resumed run of the same step changes nothing.
    again = run(path, ca_rotation="trust")
    assert not again.changed and (path / "ca-bundle.crt").read_bytes() == bundle
    # Without a step, the phase and the bundle are kept (a deploy in the middle of a rotation).
    assert run(path).layout["ca"]["cert"] == str(path / "ca-bundle.crt")

    new_ca = (path / "ca-next.crt").read_bytes()
    issue = run(path, ca_rotation="issue")
    assert issue.ca_rotation["phase"] == 2 and issue.ca_rotation["trusted"] == trust.ca_rotation["trusted"]
    assert (path / "ca.crt").read_bytes() == new_ca and (path / "ca-previous.crt").read_bytes() == old_ca
    assert not (path / "ca-next.crt").exists() and not (path / "ca-next.key").exists()
    # The bundle is byte for byte the one the members restarted with: no restart in phase 2.
    assert (path / "ca-bundle.crt").read_bytes() == bundle
    assert issue.ca["serial"] == "%x" % load_cert(path / "ca.crt").serial_number
    reasons = dict((i["id"], i["reason"]) for i in issue.issued)
    assert all(reasons[c["id"]] == "not issued by the current CA" for c in first.certificates)
    for item in issue.certificates:
        name = "peer-ca" if item["id"].endswith("/peer") else "ca"
        assert verifies(path / (name + ".crt"), item["path"])
        assert not verifies(path / (name + "-previous.crt"), item["path"])
        assert verifies(path / (name + "-bundle.crt"), item["path"])
    # Old leaves still verify against the bundle (members not yet rotated keep talking).
    old_leaf_file = path / "old-leaf.crt"
    old_leaf_file.write_bytes(old_leaf)
    assert verifies(path / "peer-ca-bundle.crt", old_leaf_file) and not verifies(path / "peer-ca.crt", old_leaf_file)
    assert not run(path, ca_rotation="issue").changed

    drop = run(path, ca_rotation="drop")
    assert drop.ca_rotation["phase"] == 3 and drop.ca_rotation["trusted"] == [issue.ca_rotation["issuing"]]
    assert drop.ca_rotation["peer_trusted"] == issue.ca_rotation["peer_trusted"][1:]
    assert drop.layout["ca"]["cert"] == str(path / "ca.crt") and not (path / "ca-bundle.crt").exists()
    assert drop.layout["peer_ca"]["cert"] == str(path / "peer-ca.crt") and not (path / "peer-ca-bundle.crt").exists()
    assert not drop.issued[1:]

    finish = run(path, ca_rotation="finish")
    assert finish.ca_rotation == {"phase": 0, "step": "none"}
    retired = path / "retired" / ("%x" % load_cert(old_ca_file(path, old_ca)).serial_number)
    assert (retired / "ca.crt").read_bytes() == old_ca and stat.S_IMODE(os.stat(retired / "ca.key").st_mode) == 0o600
    assert sorted(p.name for p in path.iterdir() if "ca" in p.name and p.name != "old-ca.crt") == [
        "ca.crt",
        "ca.key",
        "peer-ca.crt",
        "peer-ca.key",
    ]
    assert len(list((path / "retired").iterdir())) == 2
    assert not run(path).changed and not run(path, ca_rotation="finish").changed


def old_ca_file(path, data):
    target = path / "old-ca.crt"
    target.write_bytes(data)
    return target


@pytest.mark.parametrize(
    "done, step",
    [([], "issue"), ([], "drop"), (["trust"], "drop"), (["trust", "issue"], "trust"), (["trust"], "finish")],
)
def test_ca_rotation_refuses_a_skipped_step(built, done, step):
    for earlier in done:
        run(built, ca_rotation=earlier)
    before = files_state(built)
    with pytest.raises(EtcdTLSError, match="ca_rotation=%s cannot follow phase %d" % (step, len(done))):
        run(built, ca_rotation=step)
    assert files_state(built) == before


def test_ca_rotation_check_mode_writes_nothing(built):
    before = files_state(built)
    result = run(built, ca_rotation="trust", check_mode=True)
    assert result.changed and result.ca_rotation["phase"] == 1
    assert files_state(built) == before


def test_ca_rotation_with_a_missing_file_names_it(built):
    run(built, ca_rotation="trust")
    os.unlink(str(built / "ca-next.key"))
    with pytest.raises(EtcdTLSError, match=r"ca-next\.key"):
        run(built, ca_rotation="issue")


def test_ca_rotation_state_not_ours(built):
    (built / "ca-rotation.json").write_text('{"phase": 7}')
    with pytest.raises(EtcdTLSError, match="not a CA rotation state"):
        run(built)


def test_peers_have_their_own_ca(first_run):
    path, result = first_run
    assert result.layout["peer_ca"]["cert"] == str(path / "peer-ca.crt")
    peer_ca = load_cert(path / "peer-ca.crt")
    assert cn(peer_ca) == "etcd-ca peers" and peer_ca.subject != load_cert(path / "ca.crt").subject
    assert result.peer_ca["subject"] == "CN=etcd-ca peers"
    assert stat.S_IMODE(os.stat(path / "peer-ca.key").st_mode) == 0o600


def test_a_pki_from_before_peer_ca_keeps_its_peers_on_ca_until_a_rotation(built):
    path = built
    # A PKI made before peers had their own CA: no peer-ca, peer certificates from ca.
    os.unlink(str(path / "peer-ca.crt"))
    os.unlink(str(path / "peer-ca.key"))
    legacy = run(path)
    assert legacy.layout["peer_ca"]["cert"] == str(path / "ca.crt") and legacy.peer_ca is None
    assert not (path / "peer-ca.crt").exists()
    peer = path / "members" / "x-k3s-m-1" / "peer.crt"
    assert verifies(path / "ca.crt", peer)
    assert not run(path).changed
    # Its CA rotation gives the peers a CA of their own; the peer port trusts the old ca meanwhile.
    trust = run(path, ca_rotation="trust")
    assert (path / "peer-ca-bundle.crt").read_bytes() == (path / "ca.crt").read_bytes() + (
        path / "peer-ca-next.crt"
    ).read_bytes()
    assert trust.layout["peer_ca"]["cert"] == str(path / "peer-ca-bundle.crt")
    run(path, ca_rotation="issue")
    assert verifies(path / "peer-ca.crt", peer) and not verifies(path / "ca.crt", peer)
    assert not (path / "peer-ca-previous.crt").exists()
    run(path, ca_rotation="drop")
    finish = run(path, ca_rotation="finish")
    assert finish.layout["peer_ca"]["cert"] == str(path / "peer-ca.crt")
    assert len(list((path / "retired").iterdir())) == 1


def test_half_a_peer_ca_is_an_error(built):
    os.unlink(str(built / "peer-ca.key"))
    with pytest.raises(EtcdTLSError, match=r"peer-ca.crt and .*peer-ca.key must both exist"):
        run(built)


def test_one_server_name_in_every_server_certificate(tmp_path):
    path = tmp_path / "pki"
    result = run(path, server_names=["Prod.ETCD.internal"])
    for item in result.certificates:
        names = item["dns_names"]
        assert ("prod.etcd.internal" in names) is item["id"].endswith("/server"), item["id"]
        if item["id"].endswith("/server"):
            assert "prod.etcd.internal" in sans(load_cert(item["path"]))[0]
    # openssl's host check (X509_check_host, as nginx and APISIX use it) accepts the name.
    out = subprocess.run(
        [
            OPENSSL,
            "x509",
            "-in",
            str(path / "members/x-k3s-m-2/server.crt"),
            "-noout",
            "-checkhost",
            "prod.etcd.internal",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "does match" in out
    # Adding it later re-issues the server certificates only (no restart needed: leaves reload).
    again = run(path, server_names=["prod.etcd.internal", "vip.example.org"])
    assert sorted(i["id"].split("/")[-1] for i in again.issued) == ["server"] * 3


def test_a_server_name_that_is_not_a_dns_name_is_refused(tmp_path):
    with pytest.raises(EtcdTLSError, match="server_names: 'etcd cluster' is neither an IP address nor a valid DNS"):
        run(tmp_path / "pki", server_names=["etcd cluster"])
    assert not (tmp_path / "pki").exists()


def test_a_rotation_with_the_longest_ca_name_fits_x509(tmp_path):
    name = "c" * 64
    path = tmp_path / "pki"
    run(path, ca_common_name=name)
    run(path, ca_common_name=name, ca_rotation="trust")
    for cert in ("ca-next.crt", "peer-ca-next.crt"):
        subject = cn(load_cert(path / cert))
        assert len(subject) == 64 and subject.startswith("ccc") and subject.endswith("Z")
