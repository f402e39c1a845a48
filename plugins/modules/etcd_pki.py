#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_pki
short_description: Ensure the whole TLS PKI of one etcd cluster in a directory
version_added: 0.1.0
description:
  - In one invocation, creates or checks a CA used only for this etcd cluster, a server and a peer
    certificate for every member, an C(admin) client certificate and any number of named client
    certificates, each with its own key.
  - "Runs where the directory is, normally on the controller (C(delegate_to: localhost), C(run_once)).
    The CA private key never has to leave that directory."
  - "Layout: C(ca.crt), C(ca.key), C(peer-ca.crt), C(peer-ca.key), C(members/<name>/server.crt|key),
    C(members/<name>/peer.crt|key), C(clients/<name>.crt|key). Keys are written 0600, directories 0700, every
    file atomically."
  - Peers have a CA of their own (C(peer-ca)), made with a new PKI, which issues the peer certificates and which
    the peer port trusts alone, so a client certificate is refused there. A PKI made before it keeps issuing
    peer certificates from C(ca.crt) until its next CA rotation (O(ca_rotation)) gives the peers their own CA.
  - A certificate is (re)issued only when it is missing, inside the renewal window, its CN, SANs,
    extended key usage or key type differ from what is wanted, its key does not match it, the current
    CA did not issue it, or its id is listed in O(reissue). An existing key of the wanted type is kept
    unless O(regenerate_keys=true), so a renewal replaces one file only.
  - The CA itself is never replaced silently. A CA whose key is lost or which has expired is an error
    that names the file and the way out.
  - Every input is checked and every certificate built before the first write, and the writes are
    committed all or nothing, so whatever fails, the directory is left as it was.
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.attributes.in_process
  - etcdtls.cluster.clients
requirements:
  - cryptography >= 39.0 on the host that runs the module (the controller)
attributes:
  check_mode:
    support: full
    description: Reports what would be (re)issued and why; writes nothing.
  diff_mode:
    support: full
    description: Lists each certificate that changes with the reason, and the new notAfter.
options:
  path:
    description:
      - Absolute path of the PKI directory. Created 0700 if missing.
    type: path
    required: true
  members:
    description:
      - The cluster's members, one dict each. Must not be empty; names and IPs must be unique.
      - C(name) (required) is the etcd member name, the CN of its certificates and a DNS SAN.
      - C(ips) (required) lists every IP address of the member; they go into its server and peer certificates.
      - C(fqdn) is the member's DNS name, added as a DNS SAN when set.
      - C(extra_sans) lists further SANs for the member's server certificate only (a VIP, a round-robin DNS
        name); entries that parse as IP addresses become IP SANs, the others DNS SANs.
      - Other keys are ignored, so the output of the P(etcdtls.cluster.etcd_members#filter) filter can be
        passed as it is.
    type: list
    elements: dict
    required: true
  admin_common_name:
    description:
      - CN of the C(admin) client certificate that etcdctl on the members uses.
    type: str
    default: root
  ca_common_name:
    description:
      - CN of a newly created CA. An existing CA is kept as it is.
    type: str
    default: etcd-ca
  key_type:
    description:
      - Key algorithm of newly generated keys.
    type: str
    choices: [ecdsa, rsa]
    default: ecdsa
  key_size:
    description:
      - Curve size for ECDSA (256 or 384), modulus size for RSA (2048, 3072 or 4096).
      - Defaults to 256 for ECDSA and 2048 for RSA.
    type: int
  ca_days:
    description:
      - Lifetime of a newly created CA, in days.
    type: int
    default: 3650
  leaf_days:
    description:
      - Lifetime of server, peer and client certificates, in days. Capped at the CA's notAfter.
    type: int
    default: 365
  renew_days:
    description:
      - A leaf is renewed when fewer than this many days of validity remain.
    type: int
    default: 30
  ca_passphrase:
    description:
      - Passphrase of the CA private key. Used to encrypt a new CA key, and to unlock an existing one.
    type: str
  reissue:
    description:
      - Certificate ids to re-issue now even though they are valid, for instance
        V(members/etcd1/server) or V(clients/apisix); V(all) re-issues every leaf.
    type: list
    elements: str
    default: []
  regenerate_keys:
    description:
      - Generate a new private key for every certificate that is (re)issued, instead of keeping a valid
        existing key.
    type: bool
    default: false
  require_existing_ca:
    description:
      - Refuse to create a CA; fail, writing nothing, when O(path) holds no CA key. Set it when the members
        already trust a CA (the etcd role does), so that a lost or moved PKI directory never turns into a new
        CA that would cut every member off.
    type: bool
    default: false
  server_names:
    description:
      - DNS names added to every member's server certificate, for instance one name for the whole cluster. A
        gateway that checks names the way OpenSSL's C(X509_check_host) does (APISIX and nginx match DNS names only,
        never IP SANs) connects to each member by IP and verifies this name (SNI, APISIX's C(tls.sni)).
    type: list
    elements: str
    default: []
  only_known_cas:
    description:
      - Read only the CA certificates and return RV(known_cas) (nothing else is returned), with no key read, no lock
        taken and nothing written - what a compliance check needs, with read access to the PKI directory (its tree
        is checked as a deploy checks it).
      - Refused while a commit an interrupted run left waits, and when C(ca.crt) is missing or holds no certificate.
    type: bool
    default: false
  ca_rotation:
    description:
      - A step of the rotation to a new CA, each complete on every member before the next is asked for (the
        P(etcdtls.cluster.etcd#role) role's C(rotate_ca) entry point sequences them). The phase reached is kept in
        C(ca-rotation.json) in O(path); a step is accepted after the one before it, or again in its own phase (a
        resumed run), never otherwise.
      - V(trust) makes new CAs (C(ca-next.crt|key), C(peer-ca-next.crt|key)) and the trust bundles
        C(ca-bundle.crt) and C(peer-ca-bundle.crt) (old and new CA); the old CAs still issue.
      - V(issue) makes the new CA the issuer (C(ca.crt|key); the old one is kept as C(ca-previous.crt|key)) and
        re-issues every leaf from it; the bundle stays the same bytes.
      - V(drop) trusts the new CA alone (the trusted CA file (C(layout.ca.cert)) is C(ca.crt) again).
      - V(finish) retires the old CA to C(retired/<serial>/).
      - Omitted, the current phase is kept, and C(layout.ca.cert) is the bundle while both CAs are trusted.
    type: str
    choices: [trust, issue, drop, finish]
seealso:
  - name: etcd transport security model
    description: What etcd expects of server, peer and client certificates.
    link: https://etcd.io/docs/v3.5/op-guide/security/
notes:
  - Server certificates carry both C(serverAuth) and C(clientAuth) extended key usage. etcd uses its
    server certificate as a client certificate for its own gRPC gateway, and fails with
    C(certificate specifies an incompatible key usage) otherwise.
  - Server certificates always include C(localhost), C(127.0.0.1) and C(::1) so etcdctl on a member
    can reach its local endpoint.
"""

EXAMPLES = r"""
- name: Ensure the PKI of the cluster on the controller
  etcdtls.cluster.etcd_pki:
    path: /home/ops/etcd-pki/prod
    members:
      - name: x-k3s-m-1
        ips: [192.168.7.11]
        fqdn: x-k3s-m-1.edge.huatai.me
        extra_sans: [etcd.edge.huatai.me]
      - name: x-k3s-m-2
        ips: [192.168.7.12]
      - name: x-k3s-m-3
        ips: [192.168.7.13]
    clients:
      - name: apisix
        api: json
      - name: kube-apiserver
        organization: system:masters
  delegate_to: localhost
  run_once: true

- name: Re-issue the server certificate of one member now
  etcdtls.cluster.etcd_pki:
    path: /home/ops/etcd-pki/prod
    members: "{{ etcd_pki_members }}"
    reissue: [members/x-k3s-m-1/server]
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
layout:
  description:
    - Where each file of the PKI lives, for whatever pushes or exports them; the module is the one owner of
      this layout. Also returned in check mode, before the files exist.
  returned: success
  type: dict
  contains:
    ca:
      description: C(cert), the CA file members and clients trust (the bundle of both CAs during phases 1 and 2 of
        a CA rotation).
      type: dict
    peer_ca:
      description: C(cert), the CA file the peer port trusts (C(peer-ca.crt); its bundle during a CA rotation;
        C(ca.crt) for a PKI from before the peer CA).
      type: dict
    members:
      description: Per member name, C(server) and C(peer), each with C(cert) and C(key).
      type: dict
    clients:
      description: Per client name (C(admin) included), C(cert) and C(key).
      type: dict
  sample:
    ca: {cert: /srv/pki/etcd/ca.crt}
    members:
      etcd1:
        server: {cert: /srv/pki/etcd/members/etcd1/server.crt, key: /srv/pki/etcd/members/etcd1/server.key}
        peer: {cert: /srv/pki/etcd/members/etcd1/peer.crt, key: /srv/pki/etcd/members/etcd1/peer.key}
    clients:
      admin: {cert: /srv/pki/etcd/clients/admin.crt, key: /srv/pki/etcd/clients/admin.key}
ca:
  description: The CA in use. Never contains key material.
  returned: success
  type: dict
  contains:
    path:
      description: Path of the CA certificate.
      type: str
      sample: /home/ops/etcd-pki/prod/ca.crt
    key_path:
      description: Path of the CA private key.
      type: str
    subject:
      description: Subject of the CA.
      type: str
      sample: CN=etcd-ca
    serial:
      description: Serial number, hexadecimal.
      type: str
    not_after:
      description: End of validity, UTC, ISO 8601.
      type: str
      sample: "2036-11-21T18:50:00Z"
    key:
      description: Key algorithm and size.
      type: str
      sample: ecdsa-256
    created:
      description: Whether this run created the CA.
      type: bool
certificates:
  description: Every leaf certificate, in order (members' server and peer, then clients).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Certificate id, the path relative to O(path) without extension.
      type: str
      sample: members/etcd1/server
    path:
      description: Certificate file.
      type: str
    key_path:
      description: Private key file.
      type: str
    common_name:
      description: CN of the subject (null for a C(json) client's certificate, which has none).
      type: str
    dns_names:
      description: DNS SANs.
      type: list
      elements: str
    ip_addresses:
      description: IP SANs.
      type: list
      elements: str
    usages:
      description: Extended key usages.
      type: list
      elements: str
      sample: [clientAuth, serverAuth]
    serial:
      description: Serial number, hexadecimal.
      type: str
    not_after:
      description: End of validity, UTC, ISO 8601.
      type: str
    action:
      description: V(issued) when this run (re)issued it, V(unchanged) otherwise.
      type: str
    reason:
      description: Why it was (re)issued. Only when RV(certificates[].action=issued).
      type: str
issued:
  description: Each certificate (re)issued by this run (including V(ca)), with the reason.
  returned: success
  type: list
  elements: dict
  sample: [{"id": "members/etcd1/server", "reason": "SANs differ: +IP:10.0.0.5", "not_after": "2027-11-23T18:50:00Z"}]
peer_ca:
  description: The peer CA in use (as RV(ca)), or null for a PKI whose peers still share C(ca.crt).
  returned: success
  type: dict
ca_rotation:
  description: The phase of the CA rotation.
  returned: success
  type: dict
  contains:
    phase:
      description: 0 (none), 1 (trust), 2 (issue) or 3 (drop).
      type: int
    step:
      description: The name of the phase, V(none), V(trust), V(issue) or V(drop); what tasks compare, never the number.
      type: str
    issuing:
      description: SHA-256 fingerprint of the CA that issues. Absent in phase 0.
      type: str
    trusted:
      description: SHA-256 fingerprints of the CAs the client port trusts. Absent in phase 0.
      type: list
      elements: str
    peer_trusted:
      description: SHA-256 fingerprints of the CAs the peer port trusts. Absent in phase 0.
      type: list
      elements: str
serials:
  description: The serial of every certificate of RV(certificates) (hexadecimal, as a TLS handshake reads it), by id.
  returned: success
  type: dict
  sample: {"members/etcd1/server": "4f1c9a", "clients/admin": "77aa01"}
bundles:
  description:
    - Each named client's bundle (every client but the admin), as the files to hand over; its CA file is the one the
      members trust (the trust bundle during a CA rotation), always named C(ca.crt).
  returned: success
  type: list
  elements: dict
  contains:
    client:
      description: The client's name.
      type: str
    src:
      description: The file in the PKI.
      type: str
    name:
      description: Its name in the bundle.
      type: str
    mode:
      description: Its mode there (keys V(0600)).
      type: str
known_cas:
  description:
    - The SHA-256 fingerprint of every CA certificate the PKI holds once the run is done (those of a CA rotation under
      way included); what a member may trust, and nothing else (the compliance check's CIS 2.7 rule).
  returned: success, and alone with O(only_known_cas)
  type: list
  elements: str
fixed:
  description: Files and directories whose mode was corrected, or directories created.
  returned: success
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.etcdtls.cluster.plugins.module_utils import certs
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki import ARGUMENT_SPEC, run


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    if not certs.HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=str(certs.CRYPTOGRAPHY_IMPORT_ERROR))
    try:
        output = run(module.params, module.check_mode, module._diff)
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in output.pop("warnings"):
        module.warn(warning)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
