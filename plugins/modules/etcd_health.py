#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_health
short_description: Health of an etcd cluster over mutual TLS, as structured facts
version_added: 0.1.0
description:
  - Runs etcdctl (C(endpoint health), C(endpoint status), C(member list), C(alarm list)) with
    C(--write-out=json) over mutual TLS, and opens a TLS connection to each endpoint to read the
    certificate it serves.
  - Returns per-endpoint health, latency, version, DB size, leader flag, raft term and index, the member
    list, the leader, active alarms, voting members and quorum, and each served certificate's notAfter.
  - With O(wait_timeout), looks again until the cluster is healthy or the time is up, whatever each look
    costs (each etcdctl call and TLS probe gets at most the time left); a cluster that stays unhealthy fails the
    task with a message that names each failing endpoint and the likely cause (SAN mismatch, unknown
    authority, key usage, expired, connection refused), unless O(fail_on_unhealthy=false).
  - Read-only; runs in check mode as in a normal run.
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.connection
  - etcdtls.cluster.attributes.read_only
options:
  wait_timeout:
    description:
      - Seconds to keep looking while the cluster is not healthy yet. V(0) looks once.
      - A bound in time, not a count of tries - a look at an unreachable member costs its own timeouts, and
        the module still returns within about O(wait_timeout) plus O(timeout).
    type: int
    default: 0
  delay:
    description:
      - Seconds between looks.
    type: int
    default: 2
  expected_members:
    description:
      - The number of voting members the cluster must have to count as healthy.
    type: int
  renew_days:
    description:
      - Warn about every served certificate, on a client or a peer port, with fewer days left than this, and
        list it in RV(expiring).
    type: int
    default: 30
  fail_on_unhealthy:
    description:
      - Fail when the cluster is still unhealthy when O(wait_timeout) is up. With V(false), return RV(healthy=false).
    type: bool
    default: true
  peer_ca_file:
    description:
      - The CA file that verifies the certificates members serve on their peer port, read by a TLS handshake
        (RV(endpoints[].peer_cert_serial)). The peer port of a cluster whose peers have a CA of their own
        refuses client certificates, so it is read with a peer certificate (O(peer_cert_file)).
      - Defaults to O(ca_file).
    type: path
  peer_cert_file:
    description: The certificate presented on the peer port. Defaults to O(cert_file).
    type: path
  peer_key_file:
    description: The key of O(peer_cert_file). Defaults to O(key_file).
    type: path
  pki_serials:
    description:
      - The serial of every certificate the PKI holds, by certificate id (C(members/<name>/server),
        C(members/<name>/peer)), as from RV(etcdtls.cluster.etcd_pki#module:serials).
      - Each endpoint must serve its member's two, read by TLS handshakes on both ports; one that serves others is a
        failure (waited for, within O(wait_timeout)), and is listed in RV(stale).
    type: dict
requirements:
  - etcdctl (3.4 or newer) on the host that runs the module
"""

EXAMPLES = r"""
- name: Wait until the cluster is healthy with three voting members
  etcdtls.cluster.etcd_health:
    endpoints:
      - https://192.168.7.11:2379
      - https://192.168.7.12:2379
      - https://192.168.7.13:2379
    expected_members: 3
    wait_timeout: 60
  register: etcd_status

- name: Look without failing, to decide what to do next
  etcdtls.cluster.etcd_health:
    endpoints: "{{ groups['etcd'] | etcdtls.cluster.etcd_members(hostvars) | map(attribute='client_url') }}"
    ca_file: /etc/etcd/pki/ca.crt
    cert_file: /etc/etcd/pki/admin.crt
    key_file: /etc/etcd/pki/admin.key
    fail_on_unhealthy: false
  register: etcd_status

- name: Check several clusters' members with shared settings and their own etcdctl environment
  module_defaults:
    group/etcdtls.cluster.etcd:
      wait_timeout: 60
      expected_members: 3
  environment:
    ETCDCTL_ENDPOINTS: https://10.0.10.11:2379,https://10.0.10.12:2379,https://10.0.10.13:2379
    ETCDCTL_CACERT: /etc/etcd/pki/ca.crt
    ETCDCTL_CERT: /etc/etcd/pki/admin.crt
    ETCDCTL_KEY: /etc/etcd/pki/admin.key
  block:
    - name: Wait for the cluster
      etcdtls.cluster.etcd_health:
"""

RETURN = r"""
healthy:
  description: Every endpoint healthy, a leader known, no alarm, and the expected member count.
  returned: always
  type: bool
endpoints:
  description: One entry per endpoint.
  returned: always
  type: list
  elements: dict
  contains:
    endpoint:
      description: The client URL.
      type: str
    name:
      description: Member name, from the member list.
      type: str
    healthy:
      description: C(etcdctl endpoint health) succeeded (a proposal was committed).
      type: bool
    took:
      description: Latency of the health check, as etcdctl reports it.
      type: str
    id:
      description: Member id, hexadecimal.
      type: str
    version:
      description: etcd server version.
      type: str
    db_size:
      description: Backend database size in bytes.
      type: int
    leader:
      description: Whether this member is the leader.
      type: bool
    raft_term:
      description: Raft term.
      type: int
    raft_index:
      description: Raft index.
      type: int
    raft_applied_index:
      description: Raft applied index.
      type: int
    is_learner:
      description: Whether the member is a learner.
      type: bool
    cert_not_after:
      description: notAfter of the certificate the endpoint serves, read from the TLS handshake.
      type: str
      sample: "2027-11-23T18:50:00Z"
    cert_serial:
      description: Serial of the served certificate, hexadecimal.
      type: str
    cert_days_left:
      description: Days until RV(endpoints[].cert_not_after).
      type: float
    peer_url:
      description: The member's peer URL, from the member list.
      type: str
    peer_cert_serial:
      description: Serial of the certificate the member serves on its peer port (a new TLS handshake).
      type: str
    peer_cert_not_after:
      description: notAfter of that certificate.
      type: str
    peer_cert_days_left:
      description: Days until RV(endpoints[].peer_cert_not_after).
      type: float
    peer_cert_error:
      description: Why the peer port's certificate could not be read, or null.
      type: str
    error:
      description: The error, for an unhealthy endpoint.
      type: str
    cause:
      description: The likely cause of the error, in plain words.
      type: str
members:
  description: The member list.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Member id, hexadecimal.
      type: str
    name:
      description: Member name (empty for a member that has not started yet).
      type: str
    peer_urls:
      description: Peer URLs.
      type: list
      elements: str
    client_urls:
      description: Client URLs.
      type: list
      elements: str
    is_learner:
      description: Whether it is a learner.
      type: bool
leader:
  description: The leader (id, name, endpoint), or null.
  returned: always
  type: dict
alarms:
  description: Active alarms (member_id, alarm).
  returned: always
  type: list
  elements: dict
voting_members:
  description: Voting members in the member list.
  returned: always
  type: int
learners:
  description: Learners in the member list.
  returned: always
  type: int
quorum:
  description: Voting members needed for quorum.
  returned: always
  type: int
healthy_voting_members:
  description: Endpoints that are healthy and not learners.
  returned: always
  type: int
failures:
  description: Why the cluster is not healthy, one line each.
  returned: always
  type: list
  elements: str
stale:
  description: With O(pki_serials), the endpoints that do not serve their member's certificates from the PKI.
  returned: always
  type: list
  elements: str
expiring:
  description: Served certificates inside O(renew_days), soonest first (also warned about).
  returned: always
  type: list
  elements: dict
  sample: [{"endpoint": "https://192.168.7.11:2379", "name": "x-k3s-m-1", "port": "peer", "days_left": 12.5}]
leaders_seen:
  description: The leader ids the members report; more than one means an election is under way.
  returned: always
  type: list
  elements: str
member_list_error:
  description: Why C(etcdctl member list) failed, or null.
  returned: always
  type: str
waited:
  description: Seconds spent looking.
  returned: always
  type: float
attempts:
  description: How many looks it took.
  returned: always
  type: int
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.etcdctl import (
    ETCD_CONNECTION_ARGSPEC,
    collect_health,
    etcdctl_for,
    probe_served_certificate,
)


def run(module):
    params, etcdctl = etcdctl_for(module)

    def probe(endpoint):
        return probe_served_certificate(
            endpoint, params["ca_file"], params["cert_file"], params["key_file"], etcdctl.timeout
        )

    # The peer port trusts the peer CA alone: it is read with a peer certificate. A missing file shows as
    # the endpoint's peer_cert_error, as any other failed handshake does.
    peer = [params.get(name) or params[name[5:]] for name in ("peer_ca_file", "peer_cert_file", "peer_key_file")]

    def peer_probe(endpoint):
        return probe_served_certificate(endpoint, peer[0], peer[1], peer[2], etcdctl.timeout)

    started = time.monotonic()
    deadline = started + max(params["wait_timeout"], 0)
    attempts = 0
    while True:
        attempts += 1
        report = collect_health(
            etcdctl,
            params["endpoints"],
            probe,
            params["expected_members"],
            params["renew_days"],
            peer_probe,
            params["pki_serials"],
        )
        left = deadline - time.monotonic()
        if report["healthy"] or left <= 0:
            break
        time.sleep(min(params["delay"], left))
        # No look may run far past the deadline: its timeouts shrink to the time left.
        etcdctl.timeout = max(1, min(params["timeout"], int(deadline - time.monotonic()) or 1))
    report["attempts"] = attempts
    report["waited"] = round(time.monotonic() - started, 1)
    return report


def main():
    argument_spec = dict(ETCD_CONNECTION_ARGSPEC)
    argument_spec.update(
        wait_timeout=dict(type="int", default=0),
        delay=dict(type="int", default=2),
        expected_members=dict(type="int"),
        renew_days=dict(type="int", default=30),
        fail_on_unhealthy=dict(type="bool", default=True),
        peer_ca_file=dict(type="path"),
        peer_cert_file=dict(type="path"),
        peer_key_file=dict(type="path"),
        pki_serials=dict(type="dict"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        report = run(module)
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    if not report["healthy"] and module.params["fail_on_unhealthy"]:
        module.fail_json(
            msg="etcd cluster unhealthy after %d look(s) in %ss: %s"
            % (report["attempts"], report["waited"], "; ".join(report["failures"])),
            **report,
        )
    for item in report.get("expiring", []):
        module.warn(
            "%s (%s) serves a %s certificate that expires in %.1f days: renew it (playbooks/rotate-certs.yml)"
            % (item["name"] or item["endpoint"], item["endpoint"], item["port"], item["days_left"])
        )
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
