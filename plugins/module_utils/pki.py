# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side PKI for one etcd cluster: what to (re)issue, and the all-or-nothing writes.

Its neighbours each have one job: ``pki_input`` checks what the inventory says, ``certs`` builds
keys and certificates on ``cryptography``, ``files`` reads and writes the disk.

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

import datetime
import json
import os

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_input, pki_store
from ansible_collections.etcdtls.cluster.plugins.module_utils.certs import (
    CertificateAuthority,
    KeySpec,
    build_specs,
    cert_fingerprint,
    cert_sans,
    cert_usages,
    describe_key,
    iso_time,
    key_matches_cert,
    load_cert,
    load_key,
    not_after_of,
    not_before_of,
    parse_cert,
    parse_key,
    serialize_cert,
    serialize_key,
    subject_values,
    utcnow,
)
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.files import mode_of, read_bytes
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_input import (
    check_dns_name,
    check_lifetimes,
    check_subject,
)

DIR_MODE = 0o700
KEY_MODE = 0o600
CERT_MODE = 0o644
# A renewal that would not push notAfter out by at least this much (because the
# CA itself expires first) is pointless and would make every run "changed".
MIN_RENEWAL_GAIN = datetime.timedelta(days=1)


# --------------------------------------------------------------------------- files


class _Changes:
    """Every write of one run, planned first and committed at the end, all or nothing (pki_store.commit)."""

    def __init__(self, result):
        self.result = result
        self.directories = []
        self.files = []
        self.modes = []

    def directory(self, path):
        if path in self.directories:
            return
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

    def remove(self, path):
        """Remove ``path`` at commit (after every write), put back if the commit fails."""
        self.files.append((path, None, None))

    def mode(self, path, mode):
        actual = mode_of(path)
        if actual is not None and actual != mode:
            self.result.changed = True
            self.result.fixed.append({"path": path, "mode": "%04o" % mode, "reason": "mode %04o" % actual})
            self.modes.append((path, mode))

    def commit(self, path, last=()):
        """Commit through pki_store's staged journal: a kill at any point leaves the PKI as before or as after."""
        try:
            pki_store.commit(path, self.directories, self.files, self.modes, last)
        except OSError as exc:
            raise EtcdTLSError("cannot write %s: %s" % (exc.filename or path, exc.strerror)) from None


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
        ca_rotation=None,
        server_names=(),
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
        # A step of the CA rotation (trust, issue, drop, finish), or None to keep the current phase.
        self.ca_rotation = ca_rotation
        # DNS names in every member's server certificate.
        self.server_names = [check_dns_name(name, "server_names") for name in server_names or ()]

    def file(self, relative):
        return os.path.join(self.path, relative)


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
    if not_before_of(cert) > now:
        return "not valid until %s (issued while the controller's clock ran ahead)" % iso_time(not_before_of(cert))
    if key is None:
        return "key missing"
    if describe_key(key) != str(settings.key_spec):
        return "key type %s, wanted %s" % (describe_key(key), settings.key_spec)
    if not key_matches_cert(key, cert):
        return "key does not match the certificate"
    wanted_cn = spec.common_name
    actual_cn = subject_values(cert, "CN")
    if actual_cn != ([wanted_cn] if wanted_cn else []):
        return "CN %s, wanted %s" % (",".join(actual_cn) or "(none)", wanted_cn or "(none)")
    actual_o = subject_values(cert, "O")
    if actual_o != ([spec.organization] if spec.organization else []):
        return "O %s, wanted %s" % (",".join(actual_o) or "(none)", spec.organization or "(none)")
    actual_sans, wanted_sans = cert_sans(cert), spec.sans()
    if actual_sans != wanted_sans:
        delta = ["+" + s for s in sorted(wanted_sans - actual_sans)]
        delta += ["-" + s for s in sorted(actual_sans - wanted_sans)]
        return "SANs differ: %s" % " ".join(delta)
    if cert_usages(cert) != spec.usages:
        return "extended key usage %s, wanted %s" % (",".join(cert_usages(cert)) or "(none)", ",".join(spec.usages))
    not_after = not_after_of(cert)
    if not_after - now < datetime.timedelta(days=settings.renew_days):
        renewed_until = min(now + datetime.timedelta(days=settings.leaf_days), ca.not_after)
        if renewed_until - not_after >= MIN_RENEWAL_GAIN:
            if not_after <= now:
                return "expired on %s" % iso_time(not_after)
            return "expires on %s, inside the %d-day renewal window" % (iso_time(not_after), settings.renew_days)
    if spec.id in settings.reissue or "all" in settings.reissue:
        return "re-issue requested"
    return None


def layout(settings, specs, trust_file="ca.crt"):
    """Where every file of the PKI lives: the one place that knows it, for every consumer.

    ``{"ca": {"cert"}, "members": {name: {"server": {"cert", "key"}, "peer": {...}}},
    "clients": {name: {"cert", "key"}}}``; ``admin`` is among the clients.
    """
    found = {"ca": {"cert": settings.file(trust_file)}, "members": {}, "clients": {}}
    for spec in specs:
        pair = {"cert": settings.file(spec.cert_file), "key": settings.file(spec.key_file)}
        parts = spec.id.split("/")
        if parts[0] == "members":
            found["members"].setdefault(parts[1], {})[parts[2]] = pair
        else:
            found["clients"][parts[1]] = pair
    return found


class PkiResult:
    def __init__(self):
        self.changed = False
        self.layout = {}
        self.ca = {}
        self.certificates = []
        self.issued = []
        self.fixed = []
        self.warnings = []
        self.ca_rotation = {"phase": 0}
        self.peer_ca = None

    def as_dict(self):
        return {
            "changed": self.changed,
            "layout": self.layout,
            "ca": self.ca,
            "certificates": self.certificates,
            "issued": self.issued,
            "fixed": self.fixed,
            "warnings": self.warnings,
            "ca_rotation": self.ca_rotation,
            "peer_ca": self.peer_ca,
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
        "not_after": iso_time(not_after_of(cert)) if cert is not None else None,
    }


def _check_not_before(ca, path, now):
    if not_before_of(ca.cert) > now:
        raise EtcdTLSError(
            "the CA %s is not valid until %s: it was made while the controller's clock ran ahead, or the clock runs "
            "behind now. Set the controller's clock right; if it is right, replace the CA with playbooks/rotate-ca.yml"
            % (path, iso_time(not_before_of(ca.cert)))
        )


def _load_ca(settings, result, changes, now):
    cert_path, key_path = settings.file("ca.crt"), settings.file("ca.key")
    cert_data, key_data = read_bytes(cert_path), read_bytes(key_path)
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
        key = load_key(key_data, key_path, settings.ca_passphrase)
        if cert_data is None:
            # Recover from an interrupted first run, or a lost CA cert: the same key and
            # subject make a certificate that verifies every leaf the old one signed.
            ca = CertificateAuthority.create(settings.ca_common_name, settings.key_spec, settings.ca_days, now, key=key)
            created, reason = True, "certificate missing, rebuilt from the existing key"
        else:
            ca = CertificateAuthority(load_cert(cert_data, cert_path), key)
            if not key_matches_cert(key, ca.cert):
                raise EtcdTLSError(
                    "%s does not belong to %s: restore the matching pair from your backup" % (key_path, cert_path)
                )
            _check_not_before(ca, cert_path, now)
            if ca.not_after <= now:
                raise EtcdTLSError(
                    "the CA %s expired on %s: rotate the CA (playbooks/rotate-ca.yml) or, for a cluster you can "
                    "rebuild, remove %s" % (cert_path, iso_time(ca.not_after), settings.path)
                )
            if ca.not_after - now < datetime.timedelta(days=max(settings.renew_days, settings.leaf_days)):
                result.warnings.append(
                    "the CA %s expires on %s; leaves are cut short to that date: plan a CA rotation"
                    % (cert_path, iso_time(ca.not_after))
                )
    if created:
        result.changed = True
        result.issued.append({"id": "ca", "reason": reason, "not_after": iso_time(ca.not_after)})
        if key_data is None:
            changes.write(key_path, serialize_key(ca.key, settings.ca_passphrase), KEY_MODE)
        changes.write(cert_path, serialize_cert(ca.cert), CERT_MODE)
    result.ca = {
        "path": cert_path,
        "key_path": key_path,
        "subject": ca.cert.subject.rfc4514_string(),
        "serial": "%x" % ca.cert.serial_number,
        "not_after": iso_time(ca.not_after),
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
    specs = build_specs(members, clients, settings.admin_common_name, settings.server_names)
    check_reissue(settings.reissue, specs)
    pki_input.check_identities(members, clients, settings.admin_common_name, settings.server_names)
    try:
        with pki_store.locked(settings.path) as held:
            return _ensure(settings, specs, check_mode, now, held)
    except OSError as exc:
        raise EtcdTLSError("%s: %s" % (exc.filename or settings.path, exc.strerror or exc)) from None


def _ensure(settings, specs, check_mode, now, held):
    result = PkiResult()
    if pki_store.pending(settings.path) and check_mode:
        raise EtcdTLSError(
            "an interrupted run left a commit in %s: run without --check once to finish it" % settings.path
        )
    if not check_mode:
        recovered = pki_store.recover(settings.path)
        if recovered:
            result.changed = True
            result.fixed.append({"path": settings.path, "mode": "%04o" % DIR_MODE, "reason": recovered})
    pki_store.check_tree(settings.path)
    changes = _Changes(result)
    for directory in _directories(settings, specs):
        changes.directory(directory)
    try:
        trust = _plan(settings, specs, result, changes, now)
    except (ValueError, TypeError) as exc:
        raise EtcdTLSError(
            "cannot build the certificates in %s: %s; nothing was written" % (settings.path, exc)
        ) from None
    result.layout = layout(settings, specs, trust[0])
    result.layout["peer_ca"] = {"cert": settings.file(trust[1])}
    if check_mode:
        return result
    if held:
        # The CA rotation's phase file goes last: it says what the files already are.
        changes.commit(settings.path, last=(settings.file(ROTATION_FILE),))
        return result
    # A new PKI directory: made and locked now, and still empty, or another run made a PKI while this one planned.
    with pki_store.locked(settings.path, create=True):
        if [name for name in os.listdir(settings.path) if name != pki_store.LOCK_FILE]:
            raise EtcdTLSError(
                "another run made a PKI in %s while this one was planning: nothing was written; run again"
                % settings.path
            )
        changes.commit(settings.path)
    return result


def _describe_ca(ca, settings, name):
    return {
        "path": settings.file(name + ".crt"),
        "key_path": settings.file(name + ".key"),
        "subject": ca.cert.subject.rfc4514_string(),
        "serial": "%x" % ca.cert.serial_number,
        "not_after": iso_time(ca.not_after),
        "key": describe_key(ca.key),
    }


def _load_peer_ca(settings, result, changes, now, fresh):
    """The CA of the peer port (peer-ca.crt|key), made with a fresh PKI; None for a PKI made before peers had
    a CA of their own (its peer certificates come from ca.crt until a CA rotation gives them one)."""
    cert_path, key_path = settings.file(PEER_CA + ".crt"), settings.file(PEER_CA + ".key")
    cert_data, key_data = read_bytes(cert_path), read_bytes(key_path)
    if key_data is None and cert_data is None:
        if not fresh:
            return None
        peer_ca = CertificateAuthority.create(
            _peer_subject(settings.ca_common_name), settings.key_spec, settings.ca_days, now
        )
        result.changed = True
        result.issued.append({"id": PEER_CA, "reason": "missing", "not_after": iso_time(peer_ca.not_after)})
        changes.write(key_path, serialize_key(peer_ca.key, settings.ca_passphrase), KEY_MODE)
        changes.write(cert_path, serialize_cert(peer_ca.cert), CERT_MODE)
        return peer_ca
    if key_data is None or cert_data is None:
        raise EtcdTLSError(
            "%s and %s must both exist (the CA of the peer port): restore the missing one from your backup"
            % (cert_path, key_path)
        )
    peer_ca = CertificateAuthority(
        load_cert(cert_data, cert_path), load_key(key_data, key_path, settings.ca_passphrase)
    )
    if not key_matches_cert(peer_ca.key, peer_ca.cert):
        raise EtcdTLSError(
            "%s does not belong to %s: restore the matching pair from your backup" % (key_path, cert_path)
        )
    _check_not_before(peer_ca, cert_path, now)
    if peer_ca.not_after <= now:
        raise EtcdTLSError(
            "the peer CA %s expired on %s: rotate the CA (playbooks/rotate-ca.yml)"
            % (cert_path, iso_time(peer_ca.not_after))
        )
    changes.mode(key_path, KEY_MODE)
    changes.mode(cert_path, CERT_MODE)
    return peer_ca


def _peer_subject(ca_common_name):
    suffix = " peers"
    return ca_common_name[: pki_input.SUBJECT_MAX - len(suffix)] + suffix


def _stamped(subject, now):
    """The CN of a CA made by a rotation: its subject and the time, within x509's 64 characters."""
    stamp = now.strftime(" %Y%m%dT%H%M%SZ")
    return subject[: pki_input.SUBJECT_MAX - len(stamp)] + stamp


def _plan(settings, specs, result, changes, now):
    """Plan every write; returns the files members trust, for the client port and the peer port."""
    ca, new_ca_key = _load_ca(settings, result, changes, now)
    changes.mode(settings.file("ca.key"), KEY_MODE)
    changes.mode(settings.file("ca.crt"), CERT_MODE)
    peer_ca = _load_peer_ca(settings, result, changes, now, fresh=new_ca_key)
    issuing, peer_issuing, trust = _rotate_ca(settings, result, changes, ca, peer_ca, now)
    if issuing is not ca:
        result.ca.update(_describe_ca(issuing, settings, "ca"))
    if peer_issuing is not None:
        result.peer_ca = _describe_ca(peer_issuing, settings, PEER_CA)
    for spec in specs:
        # Peers have a CA of their own, which the client port does not trust: a client certificate
        # gets nothing from the peer port.
        issuer = peer_issuing if spec.id.endswith("/peer") and peer_issuing is not None else issuing
        cert_path, key_path = settings.file(spec.cert_file), settings.file(spec.key_file)
        cert_data, key_data = read_bytes(cert_path), read_bytes(key_path)
        cert, key = parse_cert(cert_data), parse_key(key_data)
        if new_ca_key:
            reason = "new CA"
        elif cert_data is not None and cert is None:
            reason = "certificate unreadable"
        elif key_data is not None and key is None and cert is not None:
            reason = "key unreadable"
        else:
            reason = leaf_problem(spec, cert, key, issuer, settings, now)
        if reason is None:
            result.certificates.append(dict(_describe_cert(spec, cert, settings), action="unchanged"))
            changes.mode(key_path, KEY_MODE)
            changes.mode(cert_path, CERT_MODE)
            continue
        # Keep a valid key of the wanted type (as kubeadm's renewal does): a renewal then
        # changes one file only, which etcd picks up on its next handshake.
        keep_key = key is not None and not settings.regenerate_keys and describe_key(key) == str(settings.key_spec)
        new_key = key if keep_key else settings.key_spec.generate()
        new_cert = issuer.sign(spec, new_key.public_key(), settings.leaf_days, now)
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
    return trust


# --------------------------------------------------------------------------- CA rotation
# Two CAs: ca (server and client certificates; the client port trusts it) and peer-ca (peer
# certificates; the peer port trusts it alone). A PKI made before peer-ca existed has ca alone,
# which the peer port then trusts too; its first CA rotation gives the peers their own CA.
# Phases on disk, recorded in ROTATION_FILE ({"phase": N, "peer_from": the old peer CA, ca or peer-ca}):
#   0  ca (and peer-ca) issue and are trusted (no rotation).
#   1  "trust": ca-next and peer-ca-next made; the client port trusts ca-bundle.crt (ca + ca-next), the peer
#      port peer-ca-bundle.crt (the old peer CA + peer-ca-next); the old CAs still issue.
#   2  "issue": the next CAs issue (ca.crt|key, peer-ca.crt|key), the old ones kept as ca-previous and
#      peer-ca-previous; the bundles stay the same bytes; every leaf is re-issued from the new CAs.
#   3  "drop": only the new CAs are trusted; the previous ones stay until "finish".
#   0  "finish": the previous CAs retired under retired/<serial>/.
# Each step is accepted in its own phase again (a resumed run) and from the phase before it, never
# otherwise, so no step can be skipped: a member must trust a CA before any certificate from it is used.
ROTATION_FILE = "ca-rotation.json"
PEER_CA = "peer-ca"
BUNDLE = "ca-bundle.crt"
PEER_BUNDLE = "peer-ca-bundle.crt"
ROTATION_STEPS = {"trust": 1, "issue": 2, "drop": 3, "finish": 0}
_PHASE_NAMES = {0: "none", 1: "trust", 2: "issue", 3: "drop"}


def _read_state(settings):
    data = read_bytes(settings.file(ROTATION_FILE))
    if data is None:
        return 0, None
    try:
        state = json.loads(data.decode("utf-8"))
        phase, peer_from = state["phase"], state.get("peer_from", "ca")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        phase, peer_from = None, None
    if phase not in _PHASE_NAMES or peer_from not in ("ca", PEER_CA):
        raise EtcdTLSError(
            "%s is not a CA rotation state this collection wrote; restore it from your backup"
            % settings.file(ROTATION_FILE)
        )
    return phase, peer_from


def _load_pair(settings, name):
    cert_path, key_path = settings.file(name + ".crt"), settings.file(name + ".key")
    cert_data, key_data = read_bytes(cert_path), read_bytes(key_path)
    if cert_data is None or key_data is None:
        raise EtcdTLSError(
            "the CA rotation state %s needs %s and %s, and one is missing: restore them from your backup"
            % (settings.file(ROTATION_FILE), cert_path, key_path)
        )
    pair = CertificateAuthority(load_cert(cert_data, cert_path), load_key(key_data, key_path, settings.ca_passphrase))
    if not key_matches_cert(pair.key, pair.cert):
        raise EtcdTLSError(
            "%s does not belong to %s (the CA rotation state %s needs the pair): restore the matching pair from your "
            "backup" % (key_path, cert_path, settings.file(ROTATION_FILE))
        )
    return pair


def _check_bundle(settings, changes, result, name, cas):
    """The trust bundle a rotation phase pushes holds exactly ``cas`` (old and new): re-read every run, never taken
    on trust, and written again when it holds anything else."""
    wanted = b"".join(serialize_cert(ca.cert) for ca in cas)
    path = settings.file(name)
    if read_bytes(path) != wanted:
        result.changed = True
        result.fixed.append({"path": path, "mode": "%04o" % CERT_MODE, "reason": "not the CAs this phase trusts"})
        changes.write(path, wanted, CERT_MODE)


def _promote(settings, changes, name):
    """<name>-next becomes <name>; <name> is kept as <name>-previous."""
    for target, source, mode in (
        (name + "-previous.key", name + ".key", KEY_MODE),
        (name + "-previous.crt", name + ".crt", CERT_MODE),
        (name + ".key", name + "-next.key", KEY_MODE),
        (name + ".crt", name + "-next.crt", CERT_MODE),
    ):
        data = read_bytes(settings.file(source))
        if data is not None:
            changes.write(settings.file(target), data, mode)
    changes.remove(settings.file(name + "-next.key"))
    changes.remove(settings.file(name + "-next.crt"))


def _retire(settings, changes, name):
    old = _load_pair(settings, name + "-previous")
    retired = os.path.join("retired", "%x" % old.cert.serial_number)
    changes.directory(settings.file("retired"))
    changes.directory(settings.file(retired))
    for suffix, mode in ((".key", KEY_MODE), (".crt", CERT_MODE)):
        changes.write(
            settings.file(os.path.join(retired, "ca" + suffix)),
            read_bytes(settings.file(name + "-previous" + suffix)),
            mode,
        )
        changes.remove(settings.file(name + "-previous" + suffix))


def _rotate_ca(settings, result, changes, ca, peer_ca, now):
    """Take the requested rotation step. Returns the CAs that issue from now on (server and client; peer, or
    None while peers share ca) and the files to trust (client port, peer port)."""
    phase, peer_from = _read_state(settings)
    step = settings.ca_rotation
    wanted = phase if step is None else ROTATION_STEPS[step]
    if wanted not in (phase, (phase + 1) % 4):
        raise EtcdTLSError(
            "ca_rotation=%s cannot follow phase %d (%s) of the CA rotation recorded in %s: the steps are trust, "
            "issue, drop, finish, in that order; run the step that follows, or the same one again"
            % (step, phase, _PHASE_NAMES[phase], settings.file(ROTATION_FILE))
        )
    if phase == 0:
        peer_from = PEER_CA if peer_ca is not None else "ca"
    if wanted != phase:
        result.changed = True
        result.issued.append({"id": "ca-rotation", "reason": "phase %d (%s)" % (wanted, step), "not_after": None})
        if wanted:
            state = {"phase": wanted, "peer_from": peer_from}
            changes.write(settings.file(ROTATION_FILE), json.dumps(state).encode("utf-8"), CERT_MODE)
        else:
            changes.remove(settings.file(ROTATION_FILE))
    # The CAs trusted before this rotation (until "issue" they are still the current ones).
    old_ca = ca
    old_peer = peer_ca if peer_from == PEER_CA else ca
    if wanted == 1 and phase == 0:
        new_ca, new_peer = (
            CertificateAuthority.create(_stamped(subject, now), settings.key_spec, settings.ca_days, now)
            for subject in (settings.ca_common_name, _peer_subject(settings.ca_common_name))
        )
        for name, new, old, bundle in (("ca", new_ca, ca, BUNDLE), (PEER_CA, new_peer, old_peer, PEER_BUNDLE)):
            changes.write(settings.file(name + "-next.key"), serialize_key(new.key, settings.ca_passphrase), KEY_MODE)
            changes.write(settings.file(name + "-next.crt"), serialize_cert(new.cert), CERT_MODE)
            changes.write(settings.file(bundle), serialize_cert(old.cert) + serialize_cert(new.cert), CERT_MODE)
            result.issued.append({"id": name + "-next", "reason": "CA rotation", "not_after": iso_time(new.not_after)})
    elif wanted == 1:
        new_ca, new_peer = _load_pair(settings, "ca-next"), _load_pair(settings, PEER_CA + "-next")
        _check_bundle(settings, changes, result, BUNDLE, [ca, new_ca])
        _check_bundle(settings, changes, result, PEER_BUNDLE, [old_peer, new_peer])
    elif wanted == 2 and phase == 1:
        new_ca, new_peer = _load_pair(settings, "ca-next"), _load_pair(settings, PEER_CA + "-next")
        _promote(settings, changes, "ca")
        _promote(settings, changes, PEER_CA)
    elif wanted in (2, 3):
        new_ca, new_peer = ca, peer_ca
        old_ca = _load_pair(settings, "ca-previous")
        old_peer = _load_pair(settings, PEER_CA + "-previous") if peer_from == PEER_CA else old_ca
        if wanted == 2:
            _check_bundle(settings, changes, result, BUNDLE, [old_ca, new_ca])
            _check_bundle(settings, changes, result, PEER_BUNDLE, [old_peer, new_peer])
        if wanted == 3 and phase == 2:
            changes.remove(settings.file(BUNDLE))
            changes.remove(settings.file(PEER_BUNDLE))
    elif wanted == 0 and phase == 3:
        _retire(settings, changes, "ca")
        if peer_from == PEER_CA:
            _retire(settings, changes, PEER_CA)
    if wanted == 0:
        return ca, peer_ca, ("ca.crt", PEER_CA + ".crt" if peer_ca is not None else "ca.crt")
    # The old CAs issue until "issue"; the new ones from then on.
    issuing, peer_issuing = (ca, peer_ca) if wanted == 1 else (new_ca, new_peer)
    trusted = [old_ca, new_ca] if wanted in (1, 2) else [new_ca]
    peer_trusted = [old_peer, new_peer] if wanted in (1, 2) else [new_peer]
    result.ca_rotation = {
        "phase": wanted,
        "step": _PHASE_NAMES[wanted],
        "issuing": cert_fingerprint(issuing.cert),
        "trusted": [cert_fingerprint(c.cert) for c in trusted],
        "peer_trusted": [cert_fingerprint(c.cert) for c in peer_trusted],
    }
    if wanted in (1, 2):
        return issuing, peer_issuing, (BUNDLE, PEER_BUNDLE)
    return issuing, peer_issuing, ("ca.crt", PEER_CA + ".crt")


# The options of etcd_pki: the module and its in-process action validate against this one spec.
ARGUMENT_SPEC = dict(
    path=dict(type="path", required=True),
    members=dict(type="list", elements="dict", required=True),
    clients=dict(type="list", elements="dict", default=[], options=pki_input.CLIENT_ARGSPEC),
    admin_common_name=dict(type="str", default="root"),
    ca_common_name=dict(type="str", default="etcd-ca"),
    key_type=dict(type="str", choices=["ecdsa", "rsa"], default="ecdsa"),
    key_size=dict(type="int"),
    ca_days=dict(type="int", default=3650),
    leaf_days=dict(type="int", default=365),
    renew_days=dict(type="int", default=30),
    ca_passphrase=dict(type="str", no_log=True),
    reissue=dict(type="list", elements="str", default=[]),
    regenerate_keys=dict(type="bool", default=False),
    require_existing_ca=dict(type="bool", default=False),
    ca_rotation=dict(type="str", choices=sorted(ROTATION_STEPS)),
    server_names=dict(type="list", elements="str", default=[]),
)


def run(params, check_mode=False, diff=False):
    """etcd_pki on validated ``params``: the module's result, with ``warnings`` and, in diff mode, ``diff``.
    Raises EtcdTLSError."""
    settings = PkiSettings(
        params["path"],
        key_spec=KeySpec(params["key_type"], params["key_size"]),
        ca_common_name=params["ca_common_name"],
        ca_days=params["ca_days"],
        leaf_days=params["leaf_days"],
        renew_days=params["renew_days"],
        ca_passphrase=params["ca_passphrase"],
        admin_common_name=params["admin_common_name"],
        reissue=params["reissue"],
        regenerate_keys=params["regenerate_keys"],
        require_existing_ca=params["require_existing_ca"],
        ca_rotation=params["ca_rotation"],
        server_names=params["server_names"],
    )
    members = pki_input.parse_members(params["members"])
    clients = pki_input.parse_clients(params["clients"])
    result = ensure_pki(settings, members, clients, check_mode=check_mode)
    output = result.as_dict()
    if diff:
        output["diff"] = result.diff()
    return output
