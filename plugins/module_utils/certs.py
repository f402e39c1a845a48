# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keys and x509 certificates on ``cryptography``: what a leaf must look like (:class:`CertSpec`),
which leaves a cluster needs (:func:`build_specs`), and a CA that signs them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_input import ADMIN_CLIENT
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_layout import (
    cert_file,
    client_cert_id,
    key_file,
    member_cert_id,
)
from ansible_collections.etcdtls.cluster.plugins.module_utils.probe import fingerprint

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_IMPORT_ERROR = exc

KEY_SIZES = {"ecdsa": (256, 384), "rsa": (2048, 3072, 4096)}
DEFAULT_KEY_SIZE = {"ecdsa": 256, "rsa": 2048}
# Certificates start this long before they are made, so that a member whose clock is behind the controller's takes
# a fresh one at once (the preflight refuses a member more than 5 minutes off; community tools back-date an hour or
# more). Every run also re-issues a certificate whose notBefore is still ahead (made while the controller's clock ran
# ahead).
BACKDATE = datetime.timedelta(hours=1)
SERVER_AUTH = "serverAuth"
CLIENT_AUTH = "clientAuth"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def not_after_of(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    if value is None:  # cryptography < 42
        value = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return value


def not_before_of(cert):
    value = getattr(cert, "not_valid_before_utc", None)
    if value is None:  # cryptography < 42
        value = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
    return value


def iso_time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- keys


class KeySpec:
    """The wanted key algorithm: ``ecdsa`` (P-256/P-384) or ``rsa`` (2048-4096)."""

    def __init__(self, key_type="ecdsa", key_size=None):
        if key_type not in KEY_SIZES:
            raise EtcdTLSError("key_type %r is not supported: use one of %s" % (key_type, ", ".join(sorted(KEY_SIZES))))
        if key_size is None:
            key_size = DEFAULT_KEY_SIZE[key_type]
        if key_size not in KEY_SIZES[key_type]:
            raise EtcdTLSError(
                "key_size %r is not supported for key_type %s: use one of %s"
                % (key_size, key_type, ", ".join(str(s) for s in KEY_SIZES[key_type]))
            )
        self.key_type = key_type
        self.key_size = key_size

    def __str__(self):
        return "%s-%d" % (self.key_type, self.key_size)

    def generate(self):
        if self.key_type == "ecdsa":
            curve = ec.SECP256R1() if self.key_size == 256 else ec.SECP384R1()
            return ec.generate_private_key(curve)
        return rsa.generate_private_key(public_exponent=65537, key_size=self.key_size)


def key_usage(**wanted):
    """A KeyUsage extension with the named usages set and every other one clear."""
    usages = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    usages.update(wanted)
    return x509.KeyUsage(**usages)


def describe_key(key):
    """``ecdsa-256``, ``rsa-2048``... for a public or private key."""
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return "ecdsa-%d" % key.curve.key_size
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "rsa-%d" % key.key_size
    return type(key).__name__


def _public_bytes(key):
    if hasattr(key, "public_key"):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_matches_cert(key, cert):
    return _public_bytes(key) == _public_bytes(cert.public_key())


def serialize_key(key, passphrase=None):
    if passphrase:
        encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    else:
        encryption = serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def serialize_cert(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_fingerprint(cert):
    """SHA-256 of the DER form, as the probe reports the CAs a member trusts (``AB:CD:...``)."""
    return fingerprint(cert.public_bytes(serialization.Encoding.DER))


class CertSpec:
    """What one leaf certificate must look like."""

    def __init__(self, cert_id, common_name, dns_names=(), ip_addresses=(), usages=(), organization=None):
        self.id = cert_id
        self.common_name = common_name
        self.organization = organization
        self.dns_names = _unique(name.lower() for name in dns_names)
        self.ip_addresses = _unique(ip_addresses)
        self.usages = tuple(sorted(set(usages)))

    @property
    def cert_file(self):
        return cert_file(self.id)

    @property
    def key_file(self):
        return key_file(self.id)

    def subject(self):
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, self.common_name)] if self.common_name else []
        if self.organization:
            attributes.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization))
        return x509.Name(attributes)

    def sans(self):
        return set(["DNS:" + name for name in self.dns_names] + ["IP:%s" % ip for ip in self.ip_addresses])


def _unique(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return tuple(seen)


def build_specs(members, clients, admin_common_name="root", server_names=()):
    """Every leaf the cluster needs, in a stable order. ``server_names``: DNS names in every member's
    server certificate (the one name a gateway verifies while it connects by IP)."""
    specs = []
    loopback = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    for member in members:
        names = [member.name] + ([member.fqdn] if member.fqdn else [])
        specs.append(
            CertSpec(
                member_cert_id(member.name, "server"),
                member.name,
                dns_names=names + member.extra_dns + list(server_names) + ["localhost"],
                ip_addresses=list(member.ips) + member.extra_ips + loopback,
                usages=(SERVER_AUTH, CLIENT_AUTH),
            )
        )
        specs.append(
            CertSpec(
                member_cert_id(member.name, "peer"),
                member.name,
                dns_names=names,
                ip_addresses=member.ips,
                usages=(SERVER_AUTH, CLIENT_AUTH),
            )
        )
    specs.append(CertSpec(client_cert_id(ADMIN_CLIENT), admin_common_name, usages=(CLIENT_AUTH,)))
    for client in clients:
        specs.append(
            CertSpec(
                client_cert_id(client.name),
                client.common_name,
                usages=(CLIENT_AUTH,),
                organization=client.organization,
            )
        )
    return specs


def cert_sans(cert):
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return set(["DNS:" + name.lower() for name in ext.get_values_for_type(x509.DNSName)]) | set(
        "IP:%s" % ip for ip in ext.get_values_for_type(x509.IPAddress)
    )


def cert_usages(cert):
    names = {ExtendedKeyUsageOID.SERVER_AUTH: SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH: CLIENT_AUTH}
    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(sorted(names.get(oid, oid.dotted_string) for oid in ext))


class CertificateAuthority:
    """A CA certificate with its private key, able to sign leaves."""

    def __init__(self, cert, key):
        self.cert = cert
        self.key = key

    @classmethod
    def create(cls, common_name, key_spec, days, now=None, key=None):
        now = now or utcnow()
        key = key or key_spec.generate()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        public_key = key.public_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(key_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        )
        return cls(builder.sign(key, _hash_for(key)), key)

    @property
    def not_after(self):
        return not_after_of(self.cert)

    def issued(self, cert):
        """True when this CA signed ``cert``."""
        if cert.issuer != self.cert.subject:
            return False
        try:
            cert.verify_directly_issued_by(self.cert)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True

    def sign(self, spec, public_key, days, now=None):
        now = now or utcnow()
        not_after = min(now + datetime.timedelta(days=days), self.not_after)
        is_rsa = isinstance(public_key, rsa.RSAPublicKey)
        usage_oids = {SERVER_AUTH: ExtendedKeyUsageOID.SERVER_AUTH, CLIENT_AUTH: ExtendedKeyUsageOID.CLIENT_AUTH}
        builder = (
            x509.CertificateBuilder()
            .subject_name(spec.subject())
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage(digital_signature=True, key_encipherment=is_rsa), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage_oids[u] for u in spec.usages]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        sans = [x509.DNSName(name) for name in spec.dns_names] + [x509.IPAddress(ip) for ip in spec.ip_addresses]
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(self.key, _hash_for(self.key))


def _hash_for(key):
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def parse_cert(data):
    """A PEM certificate, or None when there is none or it does not parse."""
    if data is None:
        return None
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        return None


def parse_key(data):
    """An unencrypted PEM private key, or None when there is none or it does not parse."""
    if data is None:
        return None
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return None


def subject_values(cert, name):
    """The values of one subject attribute: ``CN`` or ``O``."""
    oid = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME}[name]
    return [attribute.value for attribute in cert.subject.get_attributes_for_oid(oid)]


def load_cert(data, path):
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise EtcdTLSError("%s is not a PEM certificate" % path) from None


def load_key(data, path, passphrase=None):
    password = passphrase.encode("utf-8") if passphrase else None
    try:
        return serialization.load_pem_private_key(data, password=password)
    except TypeError:
        if password is None:
            raise EtcdTLSError(
                "%s is encrypted: set ca_passphrase (etcd_pki_ca_passphrase) to unlock it" % path
            ) from None
        raise EtcdTLSError(
            "%s is not encrypted but a CA passphrase was given: remove the passphrase, or encrypt the key "
            "(openssl pkey -aes256)" % path
        ) from None
    except ValueError:
        if password is not None:
            raise EtcdTLSError(
                "%s could not be decrypted: the CA passphrase is wrong, or the file is damaged" % path
            ) from None
        raise EtcdTLSError("%s is not a PEM private key" % path) from None
