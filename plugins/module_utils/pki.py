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
import os

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_ca, pki_input, pki_layout, pki_store
from ansible_collections.etcdtls.cluster.plugins.module_utils.certs import (
    KeySpec,
    build_specs,
    cert_sans,
    cert_usages,
    describe_key,
    iso_time,
    key_matches_cert,
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
    ADMIN_CLIENT,
    check_dns_name,
    check_lifetimes,
    check_subject,
)
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_layout import (
    CA,
    CA_CERT,
    CA_KEY,
    CERT_MODE,
    DIR_MODE,
    KEY_MODE,
    PEER_CA,
    PEER_CA_CERT,
    PHASES,
    ROTATION_FILE,
    STEPS,
)

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


def layout(settings, specs, trust_file=CA_CERT, peer_trust_file=PEER_CA_CERT):
    """Where every file of the PKI lives (pki_layout.layout); ``admin`` is among the clients."""
    return pki_layout.layout(settings.path, [spec.id for spec in specs], trust_file, peer_trust_file)


class PkiResult:
    def __init__(self):
        self.changed = False
        self.layout = {}
        self.ca = {}
        self.certificates = []
        self.issued = []
        self.fixed = []
        self.warnings = []
        self.ca_rotation = {"phase": 0, "step": PHASES[0]}
        self.peer_ca = None
        self.known_cas = []
        self.serials = {}
        self.bundles = []

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
            "known_cas": self.known_cas,
            "serials": self.serials,
            "bundles": self.bundles,
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
    for directory in pki_layout.directories(settings.path, [spec.id for spec in specs]):
        changes.directory(directory)
    try:
        trust = _plan(settings, specs, result, changes, now)
    except (ValueError, TypeError) as exc:
        raise EtcdTLSError(
            "cannot build the certificates in %s: %s; nothing was written" % (settings.path, exc)
        ) from None
    result.layout = layout(settings, specs, *trust)
    # Every CA certificate the PKI holds once this run is done (a CA rotation's included).
    planned = dict((path, data) for path, data, _mode in changes.files)
    result.known_cas = sorted(pki_store.controller_known(settings.path, planned)[0])
    result.serials = dict((cert["id"], cert["serial"]) for cert in result.certificates)
    result.bundles = pki_layout.bundles(result.layout, ADMIN_CLIENT)
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


def _plan(settings, specs, result, changes, now):
    """Plan every write; returns the files members trust, for the client port and the peer port."""
    ca, new_ca_key = pki_ca.load_ca(settings, result, changes, now)
    changes.mode(settings.file(CA_KEY), KEY_MODE)
    changes.mode(settings.file(CA_CERT), CERT_MODE)
    peer_ca = pki_ca.load_peer_ca(settings, result, changes, now, fresh=new_ca_key)
    issuing, peer_issuing, trust = pki_ca.rotate_ca(settings, result, changes, ca, peer_ca, now)
    if issuing is not ca:
        result.ca.update(pki_ca.describe_ca(issuing, settings, CA))
    if peer_issuing is not None:
        result.peer_ca = pki_ca.describe_ca(peer_issuing, settings, PEER_CA)
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
    ca_rotation=dict(type="str", choices=sorted(STEPS)),
    server_names=dict(type="list", elements="str", default=[]),
    only_known_cas=dict(type="bool", default=False),
)


def known_cas_only(path):
    """The CA certificates of the PKI in ``path``, and no key read (no lock, nothing written): what a compliance
    check needs, with read access to the PKI directory. Refused while an interrupted commit waits, and without a
    readable ca.crt."""
    if not os.path.isdir(path):
        raise EtcdTLSError("there is no PKI in %s: point etcd_pki_dir at the cluster's PKI directory" % path)
    if pki_store.pending(path):
        raise EtcdTLSError(
            "an interrupted run left a commit in %s: run the deploy (site.yml) without --check once to finish it" % path
        )
    pki_store.check_tree(path)
    if not pki_store.controller_ca(path)[0]:
        raise EtcdTLSError(
            "%s holds no readable CA certificate (%s): point etcd_pki_dir at the cluster's PKI directory, or restore "
            "the file from your backup" % (path, CA_CERT)
        )
    return {"changed": False, "known_cas": sorted(pki_store.controller_known(path)[0]), "warnings": []}


def run(params, check_mode=False, diff=False):
    """etcd_pki on validated ``params``: the module's result, with ``warnings`` and, in diff mode, ``diff``.
    Raises EtcdTLSError."""
    if params["only_known_cas"]:
        return known_cas_only(params["path"])
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
