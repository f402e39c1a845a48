# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side PKI for one etcd cluster, built on ``cryptography``.

One call of :func:`ensure_pki` brings a directory to the wanted state:

    <path>/ca.crt, ca.key                     the cluster's own CA
    <path>/members/<name>/server.crt, .key    client-facing cert of a member
    <path>/members/<name>/peer.crt, .key      peer cert of a member
    <path>/clients/<name>.crt, .key           client certs (``admin`` always)

Every certificate has an *id*, its path relative to ``<path>`` without the
extension (``members/etcd1/server``, ``clients/apisix``). Ids are what
``reissue`` takes, and what the result reports.

The design leaves room for rolling rotation: :class:`CertificateAuthority`
is a value that can be loaded from any pair of files, leaves are judged
against whichever CA is passed in, and any subset of leaves can be
re-issued on demand.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import ipaddress
import os
import re
import stat

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.files import atomic_write

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
ADMIN_CLIENT = "admin"
DIR_MODE = 0o700
KEY_MODE = 0o600
CERT_MODE = 0o644
BACKDATE = datetime.timedelta(minutes=5)
# A renewal that would not push notAfter out by at least this much (because the
# CA itself expires first) is pointless and would make every run "changed".
MIN_RENEWAL_GAIN = datetime.timedelta(days=1)

# A name is one or more DNS labels (no "a..b", no "a.-b"); it becomes a file name, a CN and a SAN.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_NAME_RE = re.compile(r"^%s(\.%s)*$" % (_LABEL, _LABEL))
NAME_MAX = 63
# x509 caps a CN or an O at 64 characters.
SUBJECT_MAX = 64
# A CA lifetime past this is refused (and past year 9999 would crash the encoder).
CA_DAYS_MAX = 36500
_DNS_RE = re.compile(
    r"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)

SERVER_AUTH = "serverAuth"
CLIENT_AUTH = "clientAuth"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _not_after(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    if value is None:  # cryptography < 42
        value = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return value


def _iso(value):
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

    def hash_algorithm(self):
        if self.key_type == "ecdsa" and self.key_size == 384:
            return hashes.SHA384()
        return hashes.SHA256()


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


# --------------------------------------------------------------------------- input


class Member:
    """One etcd member as the inventory describes it."""

    def __init__(self, name, ips, fqdn=None, extra_sans=None):
        self.name = name
        self.ips = ips
        self.fqdn = fqdn
        self.extra_dns, self.extra_ips = split_sans(extra_sans or [], "member %s: extra_sans" % name)


class Client:
    def __init__(self, name, common_name=None, organization=None):
        self.name = name
        self.common_name = common_name or name
        self.organization = organization


def parse_ip(value, where):
    try:
        return ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise EtcdTLSError("%s: %r is not an IP address" % (where, value)) from None


def check_dns_name(value, where):
    if not isinstance(value, str) or len(value) > 253 or not _DNS_RE.match(value):
        raise EtcdTLSError("%s: %r is neither an IP address nor a valid DNS name" % (where, value))
    return value.rstrip(".").lower()


def split_sans(values, where):
    """Sort free-form SANs into DNS names and IP addresses."""
    dns, ips = [], []
    for value in values:
        try:
            ips.append(ipaddress.ip_address(str(value).strip()))
        except ValueError:
            dns.append(check_dns_name(value, where))
    return dns, ips


def check_name(value, what):
    """A member, client or cluster name: DNS labels joined by dots, 63 characters at most."""
    if not isinstance(value, str) or len(value) > NAME_MAX or not _NAME_RE.match(value):
        raise EtcdTLSError(
            "%s name %r is not usable: use 1-63 letters, digits, '-' and '.', as DNS labels joined by dots "
            "(no '..', no label starting or ending with '-'); it becomes a file name, a CN and a DNS SAN"
            % (what, value)
        )


def check_subject(value, what):
    """A CN or O: 1-64 characters, as x509 requires."""
    if not isinstance(value, str) or not 1 <= len(value) <= SUBJECT_MAX:
        raise EtcdTLSError("%s %r must be 1-%d characters long (an x509 limit)" % (what, value, SUBJECT_MAX))


def check_unicast(ip, where):
    """An address a member can listen on and be dialled at."""
    if ip.is_unspecified or ip.is_multicast or ip == ipaddress.ip_address("255.255.255.255"):
        raise EtcdTLSError(
            "%s: %s is not a unicast address; give the IP this host is reached at (not 0.0.0.0, :: or a multicast "
            "address)" % (where, ip)
        )


def _where(raw, name):
    host = raw.get("host")
    return "host %s (member %s)" % (host, name) if host and host != name else "member %s" % name


def parse_members(raw_members):
    """Validate the member list and return :class:`Member` objects. Nothing is written before this passes.

    Each raw member may carry ``host`` (its inventory hostname) so that messages name it.
    """
    if not raw_members:
        raise EtcdTLSError(
            "members is empty: put at least one host in the inventory group of etcd members "
            "(an odd number, 3 or 5, for a cluster that survives a failure)"
        )
    members, owner_of_name, owner_of_ip, wheres = [], {}, {}, []
    for index, raw in enumerate(raw_members):
        if not isinstance(raw, dict):
            raise EtcdTLSError("member #%d: expected a dict with name and ips, got %r" % (index + 1, raw))
        name = raw.get("name")
        where = _where(raw, name)
        check_name(name, "%s: etcd_name" % where if raw.get("host") else "member #%d" % (index + 1))
        if name.lower() in owner_of_name:
            raise EtcdTLSError(
                "%s: the name is also the name or FQDN of member %s (names are compared without regard to case); "
                "give every member its own etcd_name" % (where, owner_of_name[name.lower()])
            )
        owner_of_name[name.lower()] = name
        raw_ips = raw.get("ips") or []
        if isinstance(raw_ips, str):
            raw_ips = [raw_ips]
        if not raw_ips:
            raise EtcdTLSError("%s: no IP address; set etcd_address for this host" % where)
        ips = []
        for position, raw_ip in enumerate(raw_ips):
            variable = "etcd_address" if position == 0 else "etcd_extra_addresses"
            ip = parse_ip(raw_ip, "%s: %s" % (where, variable))
            check_unicast(ip, "%s: %s" % (where, variable))
            if ip in owner_of_ip and owner_of_ip[ip] != name:
                raise EtcdTLSError(
                    "%s: IP %s is also the IP of member %s; each member needs its own address"
                    % (where, ip, owner_of_ip[ip])
                )
            owner_of_ip[ip] = name
            if ip not in ips:
                ips.append(ip)
        fqdn = raw.get("fqdn") or None
        if fqdn is not None:
            fqdn = check_dns_name(fqdn, "%s: etcd_fqdn" % where)
            if fqdn in owner_of_name and owner_of_name[fqdn] != name:
                raise EtcdTLSError(
                    "%s: etcd_fqdn %s is also the name or FQDN of member %s; every member needs its own FQDN"
                    % (where, fqdn, owner_of_name[fqdn])
                )
            owner_of_name[fqdn] = name
        extra_sans = raw.get("extra_sans") or []
        if isinstance(extra_sans, str):
            extra_sans = [extra_sans]
        members.append(Member(name, ips, fqdn, extra_sans))
        wheres.append(where)
    loopback = [m.name for m in members if any(ip.is_loopback for ip in m.ips[:1])]
    if loopback and len(loopback) != len(members):
        raise EtcdTLSError(
            "member(s) %s listen on a loopback address while other members do not: the others could never reach "
            "them. Use loopback only when every member runs on one host; otherwise set etcd_address to the IP "
            "the host is reached at" % ", ".join(loopback)
        )
    # An extra SAN that names another member would let this member's cert pass for that member.
    for member, where in zip(members, wheres):
        for san in member.extra_dns + [str(ip) for ip in member.extra_ips]:
            key = san.lower() if not _is_ip(san) else ipaddress.ip_address(san)
            owner = owner_of_name.get(key) if not _is_ip(san) else owner_of_ip.get(key)
            if owner is not None and owner != member.name:
                raise EtcdTLSError(
                    "%s: etcd_extra_sans entry %s is the name or address of member %s; a member's certificate "
                    "must not name another member (use a shared name such as a VIP instead)" % (where, san, owner)
                )
    return members


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def parse_clients(raw_clients):
    clients, names = [], set()
    for index, raw in enumerate(raw_clients or []):
        name = raw.get("name")
        check_name(name, "client #%d" % (index + 1))
        if name == ADMIN_CLIENT:
            raise EtcdTLSError(
                "client %r: the name is reserved for the admin client the collection always creates; "
                "pick another name" % name
            )
        if name.lower() in names:
            raise EtcdTLSError("client %s: the name appears twice (etcd_clients)" % name)
        names.add(name.lower())
        client = Client(name, raw.get("common_name"), raw.get("organization"))
        check_subject(client.common_name, "client %s: common_name" % name)
        if client.organization is not None:
            check_subject(client.organization, "client %s: organization" % name)
        clients.append(client)
    return clients


# --------------------------------------------------------------------------- wanted certificates


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
        return self.id + ".crt"

    @property
    def key_file(self):
        return self.id + ".key"

    def subject(self):
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, self.common_name)]
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


def build_specs(members, clients, admin_common_name="root"):
    """Every leaf the cluster needs, in a stable order."""
    specs = []
    loopback = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    for member in members:
        names = [member.name] + ([member.fqdn] if member.fqdn else [])
        specs.append(
            CertSpec(
                "members/%s/server" % member.name,
                member.name,
                dns_names=names + member.extra_dns + ["localhost"],
                ip_addresses=list(member.ips) + member.extra_ips + loopback,
                usages=(SERVER_AUTH, CLIENT_AUTH),
            )
        )
        specs.append(
            CertSpec(
                "members/%s/peer" % member.name,
                member.name,
                dns_names=names,
                ip_addresses=member.ips,
                usages=(SERVER_AUTH, CLIENT_AUTH),
            )
        )
    specs.append(CertSpec("clients/%s" % ADMIN_CLIENT, admin_common_name, usages=(CLIENT_AUTH,)))
    for client in clients:
        specs.append(
            CertSpec(
                "clients/%s" % client.name,
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


# --------------------------------------------------------------------------- files


class _Changes:
    """Every write of one run, planned first and committed at the end, all or nothing.

    Nothing touches the disk before :meth:`commit`; when any write fails, the directories it made are
    removed and the files it replaced get their previous content back, so a failed run leaves the PKI
    directory exactly as it was.
    """

    def __init__(self, result):
        self.result = result
        self.directories = []
        self.files = []
        self.modes = []

    def directory(self, path):
        if os.path.isdir(path):
            self.mode(path, DIR_MODE)
            return
        if os.path.lexists(path):
            raise EtcdTLSError("%s exists and is not a directory: move it away" % path)
        parent = os.path.dirname(path)
        if parent != path and not os.path.isdir(parent) and parent not in self.directories:
            self.directory(parent)
        self.result.changed = True
        self.result.fixed.append({"path": path, "mode": "%04o" % DIR_MODE, "reason": "missing directory"})
        self.directories.append(path)

    def write(self, path, data, mode):
        self.files.append((path, data, mode))

    def mode(self, path, mode):
        actual = _mode_of(path)
        if actual is not None and actual != mode:
            self.result.changed = True
            self.result.fixed.append({"path": path, "mode": "%04o" % mode, "reason": "mode %04o" % actual})
            self.modes.append((path, mode))

    def commit(self):
        made, previous = [], []
        try:
            for path in self.directories:
                try:
                    os.mkdir(path, DIR_MODE)
                except OSError as exc:
                    raise EtcdTLSError("cannot create directory %s: %s" % (path, exc.strerror)) from None
                made.append(path)
                os.chmod(path, DIR_MODE)
            for path, data, mode in self.files:
                previous.append((path, _read(path), _mode_of(path)))
                try:
                    atomic_write(path, data, mode)
                except OSError as exc:
                    raise EtcdTLSError("cannot write %s: %s" % (path, exc.strerror)) from None
            for path, mode in self.modes:
                os.chmod(path, mode)
        except BaseException:
            self._roll_back(made, previous)
            raise

    @staticmethod
    def _roll_back(made, previous):
        for path, data, mode in reversed(previous):
            with contextlib.suppress(OSError):
                if data is None:
                    os.unlink(path)
                else:
                    atomic_write(path, data, mode)
        for path in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(path)


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EtcdTLSError("cannot read %s: %s" % (path, exc.strerror)) from None


def _mode_of(path):
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


# --------------------------------------------------------------------------- CA


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
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        )
        return cls(builder.sign(key, _hash_for(key)), key)

    @property
    def not_after(self):
        return _not_after(self.cert)

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
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=is_rsa,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
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


def _load_cert(data, path):
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        raise EtcdTLSError("%s is not a PEM certificate" % path) from None


def _load_key(data, path, passphrase=None):
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


# --------------------------------------------------------------------------- the whole PKI


class PkiSettings:
    def __init__(
        self,
        path,
        key_spec=None,
        ca_common_name="etcd-ca",
        ca_days=3650,
        leaf_days=365,
        renew_days=30,
        ca_passphrase=None,
        admin_common_name="root",
        reissue=(),
        regenerate_keys=False,
        require_existing_ca=False,
    ):
        if not path or not os.path.isabs(path):
            raise EtcdTLSError("path %r must be an absolute directory on the controller" % (path,))
        check_lifetimes(ca_days, leaf_days, renew_days)
        check_subject(ca_common_name, "ca_common_name")
        check_subject(admin_common_name, "admin_common_name")
        self.path = path
        self.key_spec = key_spec or KeySpec()
        self.ca_common_name = ca_common_name
        self.ca_days = ca_days
        self.leaf_days = leaf_days
        self.renew_days = renew_days
        self.ca_passphrase = ca_passphrase or None
        self.admin_common_name = admin_common_name
        self.reissue = set(reissue or ())
        self.regenerate_keys = regenerate_keys
        # Members already trust a CA: a new one must never be made as a side effect.
        self.require_existing_ca = require_existing_ca

    def file(self, relative):
        return os.path.join(self.path, relative)


LIFETIME_OPTIONS = {"ca_days": "ca_days", "leaf_days": "leaf_days", "renew_days": "renew_days"}


def check_lifetimes(ca_days, leaf_days, renew_days, names=None):
    """Refuse lifetimes that cannot work; ``names`` maps each option to the variable the user set."""
    names = names or LIFETIME_OPTIONS
    if not 1 <= ca_days <= CA_DAYS_MAX:
        raise EtcdTLSError("%s must be between 1 and %d (got %s)" % (names["ca_days"], CA_DAYS_MAX, ca_days))
    if not 1 <= leaf_days <= ca_days:
        raise EtcdTLSError(
            "%s (%s) must be at least 1 and must not exceed %s (%s)"
            % (names["leaf_days"], leaf_days, names["ca_days"], ca_days)
        )
    if renew_days < 0 or renew_days >= leaf_days:
        raise EtcdTLSError(
            "%s (%s) must be at least 0 and smaller than %s (%s), or every run would re-issue every certificate"
            % (names["renew_days"], renew_days, names["leaf_days"], leaf_days)
        )


def check_reissue(reissue, specs):
    known = set(spec.id for spec in specs)
    unknown = sorted(set(reissue) - known - set(["all"]))
    if unknown:
        raise EtcdTLSError(
            "reissue names unknown certificates: %s; known ids are: %s" % (", ".join(unknown), ", ".join(sorted(known)))
        )


def leaf_problem(spec, cert, key, ca, settings, now):
    """Why ``cert`` (with ``key``) must be re-issued for ``spec``, or None when it is fine."""
    if cert is None:
        return "missing"
    if not ca.issued(cert):
        return "not issued by the current CA"
    if key is None:
        return "key missing"
    if describe_key(key) != str(settings.key_spec):
        return "key type %s, wanted %s" % (describe_key(key), settings.key_spec)
    if not key_matches_cert(key, cert):
        return "key does not match the certificate"
    wanted_cn = spec.common_name
    actual_cn = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if actual_cn != [wanted_cn]:
        return "CN %s, wanted %s" % (",".join(actual_cn) or "(none)", wanted_cn)
    actual_o = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    if actual_o != ([spec.organization] if spec.organization else []):
        return "O %s, wanted %s" % (",".join(actual_o) or "(none)", spec.organization or "(none)")
    actual_sans, wanted_sans = cert_sans(cert), spec.sans()
    if actual_sans != wanted_sans:
        delta = ["+" + s for s in sorted(wanted_sans - actual_sans)]
        delta += ["-" + s for s in sorted(actual_sans - wanted_sans)]
        return "SANs differ: %s" % " ".join(delta)
    if cert_usages(cert) != spec.usages:
        return "extended key usage %s, wanted %s" % (",".join(cert_usages(cert)) or "(none)", ",".join(spec.usages))
    not_after = _not_after(cert)
    if not_after - now < datetime.timedelta(days=settings.renew_days):
        renewed_until = min(now + datetime.timedelta(days=settings.leaf_days), ca.not_after)
        if renewed_until - not_after >= MIN_RENEWAL_GAIN:
            if not_after <= now:
                return "expired on %s" % _iso(not_after)
            return "expires on %s, inside the %d-day renewal window" % (_iso(not_after), settings.renew_days)
    if spec.id in settings.reissue or "all" in settings.reissue:
        return "re-issue requested"
    return None


class PkiResult:
    def __init__(self):
        self.changed = False
        self.ca = {}
        self.certificates = []
        self.issued = []
        self.fixed = []
        self.warnings = []

    def as_dict(self):
        return {
            "changed": self.changed,
            "ca": self.ca,
            "certificates": self.certificates,
            "issued": self.issued,
            "fixed": self.fixed,
            "warnings": self.warnings,
        }

    def diff(self):
        before, after = [], []
        for item in self.issued:
            before.append("%s: %s" % (item["id"], item["reason"]))
            after.append("%s: issued, valid until %s" % (item["id"], item["not_after"]))
        for item in self.fixed:
            before.append("%s: %s" % (item["path"], item["reason"]))
            after.append("%s: mode %s" % (item["path"], item["mode"]))
        return {
            "before_header": "%s (before)" % self.ca.get("path", "pki"),
            "after_header": "%s (after)" % self.ca.get("path", "pki"),
            "before": "\n".join(before) + ("\n" if before else ""),
            "after": "\n".join(after) + ("\n" if after else ""),
        }


def _describe_cert(spec, cert, settings):
    return {
        "id": spec.id,
        "path": settings.file(spec.cert_file),
        "key_path": settings.file(spec.key_file),
        "common_name": spec.common_name,
        "dns_names": list(spec.dns_names),
        "ip_addresses": [str(ip) for ip in spec.ip_addresses],
        "usages": list(spec.usages),
        "serial": "%x" % cert.serial_number if cert is not None else None,
        "not_after": _iso(_not_after(cert)) if cert is not None else None,
    }


def _load_ca(settings, result, changes, now):
    cert_path, key_path = settings.file("ca.crt"), settings.file("ca.key")
    cert_data, key_data = _read(cert_path), _read(key_path)
    if key_data is None and cert_data is not None:
        raise EtcdTLSError(
            "%s exists but %s is missing: the CA key is lost. Restore it from your backup; otherwise "
            "the CA must be rotated (new CA, new certs on every member)" % (cert_path, key_path)
        )
    created = False
    if key_data is None and settings.require_existing_ca:
        raise EtcdTLSError(
            "%s is missing while the members already trust a CA: a new CA would cut every member off. Restore "
            "the PKI directory from your backup (or point etcd_pki_dir at it); nothing was written" % key_path
        )
    if key_data is None:
        ca = CertificateAuthority.create(settings.ca_common_name, settings.key_spec, settings.ca_days, now)
        created, reason = True, "missing"
    else:
        key = _load_key(key_data, key_path, settings.ca_passphrase)
        if cert_data is None:
            # Recover from an interrupted first run, or a lost CA cert: the same key and
            # subject make a certificate that verifies every leaf the old one signed.
            ca = CertificateAuthority.create(settings.ca_common_name, settings.key_spec, settings.ca_days, now, key=key)
            created, reason = True, "certificate missing, rebuilt from the existing key"
        else:
            ca = CertificateAuthority(_load_cert(cert_data, cert_path), key)
            if not key_matches_cert(key, ca.cert):
                raise EtcdTLSError(
                    "%s does not belong to %s: restore the matching pair from your backup" % (key_path, cert_path)
                )
            if ca.not_after <= now:
                raise EtcdTLSError(
                    "the CA %s expired on %s: rotate the CA (playbooks/rotate-ca.yml) or, for a cluster you can "
                    "rebuild, remove %s" % (cert_path, _iso(ca.not_after), settings.path)
                )
            if ca.not_after - now < datetime.timedelta(days=max(settings.renew_days, settings.leaf_days)):
                result.warnings.append(
                    "the CA %s expires on %s; leaves are cut short to that date: plan a CA rotation"
                    % (cert_path, _iso(ca.not_after))
                )
    if created:
        result.changed = True
        result.issued.append({"id": "ca", "reason": reason, "not_after": _iso(ca.not_after)})
        if key_data is None:
            changes.write(key_path, serialize_key(ca.key, settings.ca_passphrase), KEY_MODE)
        changes.write(cert_path, serialize_cert(ca.cert), CERT_MODE)
    result.ca = {
        "path": cert_path,
        "key_path": key_path,
        "subject": ca.cert.subject.rfc4514_string(),
        "serial": "%x" % ca.cert.serial_number,
        "not_after": _iso(ca.not_after),
        "key": describe_key(ca.key),
        "created": created,
    }
    # Only a new CA key invalidates the leaves; a CA cert rebuilt from the kept key
    # verifies them all, and leaf_problem() checks that anyway.
    return ca, created and key_data is None


def _directories(settings, specs):
    dirs = [settings.path]
    for spec in specs:
        parts = spec.id.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = settings.file("/".join(parts[:depth]))
            if directory not in dirs:
                dirs.append(directory)
    return dirs


def ensure_pki(settings, members, clients, check_mode=False, now=None):
    """Bring ``settings.path`` to the wanted PKI. Returns a :class:`PkiResult`.

    Every input is validated and every certificate built before the first write; the writes are then
    committed all or nothing, so whatever fails, the directory is as it was.
    """
    now = now or utcnow()
    specs = build_specs(members, clients, settings.admin_common_name)
    check_reissue(settings.reissue, specs)
    result = PkiResult()
    changes = _Changes(result)
    for directory in _directories(settings, specs):
        changes.directory(directory)
    try:
        _plan(settings, specs, result, changes, now)
    except (ValueError, TypeError) as exc:
        raise EtcdTLSError(
            "cannot build the certificates in %s: %s; nothing was written" % (settings.path, exc)
        ) from None
    if not check_mode:
        changes.commit()
    return result


def _plan(settings, specs, result, changes, now):
    ca, new_ca_key = _load_ca(settings, result, changes, now)
    changes.mode(settings.file("ca.key"), KEY_MODE)
    changes.mode(settings.file("ca.crt"), CERT_MODE)
    for spec in specs:
        cert_path, key_path = settings.file(spec.cert_file), settings.file(spec.key_file)
        cert_data, key_data = _read(cert_path), _read(key_path)
        cert = key = None
        if cert_data is not None:
            try:
                cert = x509.load_pem_x509_certificate(cert_data)
            except ValueError:
                cert = None
        if key_data is not None:
            try:
                key = serialization.load_pem_private_key(key_data, password=None)
            except (ValueError, TypeError):
                key = None
        if new_ca_key:
            reason = "new CA"
        elif cert_data is not None and cert is None:
            reason = "certificate unreadable"
        elif key_data is not None and key is None and cert is not None:
            reason = "key unreadable"
        else:
            reason = leaf_problem(spec, cert, key, ca, settings, now)
        if reason is None:
            result.certificates.append(dict(_describe_cert(spec, cert, settings), action="unchanged"))
            changes.mode(key_path, KEY_MODE)
            changes.mode(cert_path, CERT_MODE)
            continue
        # Keep a valid key of the wanted type (as kubeadm's renewal does): a renewal then
        # changes one file only, which etcd picks up on its next handshake.
        keep_key = key is not None and not settings.regenerate_keys and describe_key(key) == str(settings.key_spec)
        new_key = key if keep_key else settings.key_spec.generate()
        new_cert = ca.sign(spec, new_key.public_key(), settings.leaf_days, now)
        result.changed = True
        entry = dict(_describe_cert(spec, new_cert, settings), action="issued", reason=reason)
        result.certificates.append(entry)
        result.issued.append({"id": spec.id, "reason": reason, "not_after": entry["not_after"]})
        # The key goes first: a reader that sees the new certificate then also sees its key.
        if keep_key:
            changes.mode(key_path, KEY_MODE)
        else:
            changes.write(key_path, serialize_key(new_key), KEY_MODE)
        changes.write(cert_path, serialize_cert(new_cert), CERT_MODE)
