# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CAs of the controller's PKI: loaded and judged, made with a new PKI, and rotated phase by phase.

``pki`` calls :func:`load_ca`, :func:`load_peer_ca` and :func:`rotate_ca` while it plans a run; each adds
what it would write to the run's changes (``pki._Changes``) and what it found to the result (``pki.PkiResult``).
Where the files live and what the phases are named is ``pki_layout``'s.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_input
from ansible_collections.etcdtls.cluster.plugins.module_utils.certs import (
    CertificateAuthority,
    cert_fingerprint,
    describe_key,
    iso_time,
    key_matches_cert,
    load_cert,
    load_key,
    not_before_of,
    serialize_cert,
    serialize_key,
)
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.files import read_bytes
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_layout import (
    BUNDLE,
    CA,
    CA_CERT,
    CA_KEY,
    CERT_MODE,
    KEY_MODE,
    NEXT,
    PEER_BUNDLE,
    PEER_CA,
    PEER_CA_CERT,
    PHASES,
    PREVIOUS,
    RETIRED,
    ROTATION_FILE,
    cert_file,
    check_state,
    key_file,
    may_follow,
    phase_of,
    retired_dir,
)


def _check_pair(ca, cert_path, key_path, now):
    """The CA's key is its certificate's, and the certificate is valid already."""
    if not key_matches_cert(ca.key, ca.cert):
        raise EtcdTLSError(
            "%s does not belong to %s: restore the matching pair from your backup" % (key_path, cert_path)
        )
    _check_not_before(ca, cert_path, now)


def _check_not_before(ca, path, now):
    if not_before_of(ca.cert) > now:
        raise EtcdTLSError(
            "the CA %s is not valid until %s: it was made while the controller's clock ran ahead, or the clock runs "
            "behind now. Set the controller's clock right; if it is right, replace the CA with playbooks/rotate-ca.yml"
            % (path, iso_time(not_before_of(ca.cert)))
        )


def load_ca(settings, result, changes, now):
    cert_path, key_path = settings.file(CA_CERT), settings.file(CA_KEY)
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
            _check_pair(ca, cert_path, key_path, now)
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
        result.issued.append({"id": CA, "reason": reason, "not_after": iso_time(ca.not_after)})
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


def describe_ca(ca, settings, name):
    return {
        "path": settings.file(cert_file(name)),
        "key_path": settings.file(key_file(name)),
        "subject": ca.cert.subject.rfc4514_string(),
        "serial": "%x" % ca.cert.serial_number,
        "not_after": iso_time(ca.not_after),
        "key": describe_key(ca.key),
    }


def load_peer_ca(settings, result, changes, now, fresh):
    """The CA of the peer port (peer-ca.crt|key), made with a fresh PKI; None for a PKI made before peers had
    a CA of their own (its peer certificates come from ca.crt until a CA rotation gives them one)."""
    cert_path, key_path = settings.file(PEER_CA_CERT), settings.file(key_file(PEER_CA))
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
    _check_pair(peer_ca, cert_path, key_path, now)
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


# --------------------------------------------------------------------------- CA rotation
# Two CAs: ca (server and client certificates; the client port trusts it) and peer-ca (peer
# certificates; the peer port trusts it alone). A PKI made before peer-ca existed has ca alone,
# which the peer port then trusts too; its first CA rotation gives the peers their own CA.
# The phases (pki_layout.PHASES) are recorded in ROTATION_FILE as {"phase": N, "peer_from": the old peer
# CA, ca or peer-ca}; no step can be skipped: a member must trust a CA before any certificate from it is used.


def _read_state(settings):
    """(phase, peer_from) recorded in ROTATION_FILE: (0, None) without one."""
    data = read_bytes(settings.file(ROTATION_FILE))
    if data is None:
        return 0, None
    try:
        found = check_state(json.loads(data.decode("utf-8")))
    except (ValueError, UnicodeDecodeError):
        found = None
    if found is None:
        raise EtcdTLSError(
            "%s is not a CA rotation state this collection wrote; restore it from your backup"
            % settings.file(ROTATION_FILE)
        )
    return found


def _load_pair(settings, name):
    cert_path, key_path = settings.file(cert_file(name)), settings.file(key_file(name))
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
        (key_file(name + PREVIOUS), key_file(name), KEY_MODE),
        (cert_file(name + PREVIOUS), cert_file(name), CERT_MODE),
        (key_file(name), key_file(name + NEXT), KEY_MODE),
        (cert_file(name), cert_file(name + NEXT), CERT_MODE),
    ):
        data = read_bytes(settings.file(source))
        if data is not None:
            changes.write(settings.file(target), data, mode)
    changes.remove(settings.file(key_file(name + NEXT)))
    changes.remove(settings.file(cert_file(name + NEXT)))


def _retire(settings, changes, name):
    old = _load_pair(settings, name + PREVIOUS)
    retired = retired_dir(old.cert.serial_number)
    changes.directory(settings.file(RETIRED))
    changes.directory(settings.file(retired))
    for named, mode in ((key_file, KEY_MODE), (cert_file, CERT_MODE)):
        changes.write(
            settings.file(named(retired + "/" + CA)),
            read_bytes(settings.file(named(name + PREVIOUS))),
            mode,
        )
        changes.remove(settings.file(named(name + PREVIOUS)))


def rotate_ca(settings, result, changes, ca, peer_ca, now):
    """Take the requested rotation step. Returns the CAs that issue from now on (server and client; peer, or
    None while peers share ca) and the files to trust (client port, peer port)."""
    phase, peer_from = _read_state(settings)
    step = settings.ca_rotation
    wanted = phase if step is None else phase_of(step)
    if not may_follow(phase, wanted):
        raise EtcdTLSError(
            "ca_rotation=%s cannot follow phase %d (%s) of the CA rotation recorded in %s: the steps are trust, "
            "issue, drop, finish, in that order; run the step that follows, or the same one again"
            % (step, phase, PHASES[phase], settings.file(ROTATION_FILE))
        )
    if phase == 0:
        peer_from = PEER_CA if peer_ca is not None else CA
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
        for name, new, old, bundle in ((CA, new_ca, ca, BUNDLE), (PEER_CA, new_peer, old_peer, PEER_BUNDLE)):
            changes.write(
                settings.file(key_file(name + NEXT)), serialize_key(new.key, settings.ca_passphrase), KEY_MODE
            )
            changes.write(settings.file(cert_file(name + NEXT)), serialize_cert(new.cert), CERT_MODE)
            changes.write(settings.file(bundle), serialize_cert(old.cert) + serialize_cert(new.cert), CERT_MODE)
            result.issued.append({"id": name + NEXT, "reason": "CA rotation", "not_after": iso_time(new.not_after)})
    elif wanted == 1:
        new_ca, new_peer = _load_pair(settings, CA + NEXT), _load_pair(settings, PEER_CA + NEXT)
        _check_bundle(settings, changes, result, BUNDLE, [ca, new_ca])
        _check_bundle(settings, changes, result, PEER_BUNDLE, [old_peer, new_peer])
    elif wanted == 2 and phase == 1:
        new_ca, new_peer = _load_pair(settings, CA + NEXT), _load_pair(settings, PEER_CA + NEXT)
        _promote(settings, changes, CA)
        _promote(settings, changes, PEER_CA)
    elif wanted in (2, 3):
        new_ca, new_peer = ca, peer_ca
        old_ca = _load_pair(settings, CA + PREVIOUS)
        old_peer = _load_pair(settings, PEER_CA + PREVIOUS) if peer_from == PEER_CA else old_ca
        if wanted == 2:
            _check_bundle(settings, changes, result, BUNDLE, [old_ca, new_ca])
            _check_bundle(settings, changes, result, PEER_BUNDLE, [old_peer, new_peer])
        if wanted == 3 and phase == 2:
            changes.remove(settings.file(BUNDLE))
            changes.remove(settings.file(PEER_BUNDLE))
    elif wanted == 0 and phase == 3:
        _retire(settings, changes, CA)
        if peer_from == PEER_CA:
            _retire(settings, changes, PEER_CA)
    if wanted == 0:
        return ca, peer_ca, (CA_CERT, PEER_CA_CERT if peer_ca is not None else CA_CERT)
    # The old CAs issue until "issue"; the new ones from then on.
    issuing, peer_issuing = (ca, peer_ca) if wanted == 1 else (new_ca, new_peer)
    trusted = [old_ca, new_ca] if wanted in (1, 2) else [new_ca]
    peer_trusted = [old_peer, new_peer] if wanted in (1, 2) else [new_peer]
    result.ca_rotation = {
        "phase": wanted,
        "step": PHASES[wanted],
        "issuing": cert_fingerprint(issuing.cert),
        "trusted": [cert_fingerprint(c.cert) for c in trusted],
        "peer_trusted": [cert_fingerprint(c.cert) for c in peer_trusted],
    }
    if wanted in (1, 2):
        return issuing, peer_issuing, (BUNDLE, PEER_BUNDLE)
    return issuing, peer_issuing, (CA_CERT, PEER_CA_CERT)
