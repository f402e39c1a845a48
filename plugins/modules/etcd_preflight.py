#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_preflight
short_description: Judge the inventory and the members' state before the first write of a deploy
version_added: 0.2.0
description:
  - Runs on the controller (C(delegate_to localhost), C(run_once)) before anything is written anywhere.
    Checks every input and what each member already holds (from M(etcdtls.cluster.etcd_probe)), and
    either returns the plan or fails with one message listing every problem, each with the variable, the
    host and the fix.
  - "Input: member names (DNS labels, unique without regard to case), FQDNs, addresses (unicast; loopback
    only when every member is local), extra SANs that name another member, ports, O(version), names used in
    paths, certificate lifetimes, the service manager and architecture of each host, and
    O(extra_config) (keys the role owns, and anything that weakens mutual TLS unless
    O(allow_insecure_config))."
  - "State: a cluster is new only when every member of the group was probed and none holds data or runs
    etcd; a member without data beside members with data, a member that was not reached, or a data dir
    that moved away from a member's data is refused; members that trust a CA must trust the controller's
    CA in O(pki_dir), which must then exist (a lost PKI directory never becomes a new CA)."
  - Read-only.
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.attributes.read_only
  - etcdtls.cluster.attributes.in_process
  - etcdtls.cluster.clients
options:
  members:
    description: The whole group's members, from the P(etcdtls.cluster.etcd_members#filter) filter.
    type: list
    elements: dict
    required: true
  hosts:
    description:
      - Per host of O(play_batch), a dict with C(service_manager), C(arch) (the release architecture) and C(machine).
      - Its C(values) maps the host's variables that reach files, units and scripts (C(etcd_data_dir),
        C(etcd_config_dir), C(etcd_pki_host_dir), C(etcd_backup_host_dir), C(etcd_bin_dir), C(etcd_package_bin_dir),
        C(etcd_profile_file), C(etcd_system_user), C(etcd_system_group), C(etcd_backup_schedule), C(etcd_openrc_net))
        to their values; each is held to a strict whole-string pattern.
    type: dict
    required: true
  probes:
    description:
      - Per group host, its C(etcd_probe) fact (M(etcdtls.cluster.etcd_probe)); null or missing for a host
        that could not be reached.
    type: dict
    required: true
  play_hosts:
    description: C(ansible_play_hosts).
    type: list
    elements: str
    required: true
  play_batch:
    description: C(ansible_play_batch); shorter than O(play_hosts) when the play runs with C(serial).
    type: list
    elements: str
    required: true
  pki_dir:
    description: The PKI directory on the controller (C(etcd_pki_dir)).
    type: path
    required: true
  cluster_name:
    description: C(etcd_cluster_name).
    type: str
    required: true
  service_name:
    description: C(etcd_service_name).
    type: str
    required: true
  version:
    description: C(etcd_version).
    type: str
    required: true
  install_method:
    description: C(etcd_install_method).
    type: str
    required: true
  client_port:
    description: C(etcd_client_port).
    type: int
    required: true
  peer_port:
    description: C(etcd_peer_port).
    type: int
    required: true
  heartbeat_interval:
    description: C(etcd_heartbeat_interval).
    type: int
    required: true
  election_timeout:
    description: C(etcd_election_timeout).
    type: int
    required: true
  data_dir:
    description: C(etcd_data_dir).
    type: str
    required: true
  ca_days:
    description: C(etcd_pki_ca_days).
    type: int
    required: true
  leaf_days:
    description: C(etcd_pki_leaf_days).
    type: int
    required: true
  renew_days:
    description: C(etcd_pki_renew_days).
    type: int
    required: true
  joining_allowed:
    description:
      - Hosts without data beside members with data join the running cluster (C(playbooks/add-member.yml)) instead of
        being refused; they are returned in RV(joining).
    type: bool
    default: false
  removing:
    description:
      - Inventory hosts being removed from the cluster (C(etcd_remove_members), C(playbooks/remove-member.yml)); they
        may be unreachable.
    type: list
    elements: str
    default: []
  needs_cluster:
    description:
      - What the playbook does to a deployed cluster, in the words of the refusal (C(back up), C(join)...). When set
        and no member holds data or runs etcd, the run is refused with the other problems, before the PKI is built.
    type: str
  allow_any_size:
    description:
      - C(etcd_scale_allow_any_size). Without it, adding or removing members must leave an odd count of 7 at most.
    type: bool
    default: false
  auth_enabled:
    description:
      - C(etcd_auth_enabled); the clients' users and roles are checked as M(etcdtls.cluster.etcd_auth) would make
        them, and a O(version) before 3.5 is refused for the archive method.
    type: bool
    default: false
  admin_common_name:
    description: C(etcd_pki_admin_common_name), the root user when authentication is on.
    type: str
    default: root
  server_names:
    description:
      - C(etcd_server_name) as a list (empty for none). It is in every member's server certificate, so it must not
        be, or as a wildcard cover, the name of a member.
    type: list
    elements: str
    default: []
  extra_config:
    description:
      - C(etcd_extra_config). Only tuning keys and C(allowed-cn) / C(allowed-hostname) under the transport-security
        sections are taken as they are; keys the role derives are refused; anything else needs
        O(allow_insecure_config).
      - C(allowed-cn) and C(allowed-hostname) are refused where the release would not take them as written (before
        3.5.14 etcd ignores them; 3.5.14 reads one name, 3.5.15 and later a list; never both in one section), and
        with O(install_method=package), whose release is known only once installed.
    type: dict
    default: {}
  allow_insecure_config:
    description: C(etcd_allow_insecure_config).
    type: bool
    default: false
  metrics_urls:
    description:
      - C(etcd_listen_metrics_urls). Plain HTTP is refused beyond loopback unless O(allow_insecure_config).
    type: list
    elements: str
    default: []
  log_level:
    description:
      - C(etcd_log_level). V(debug) is refused unless O(allow_insecure_config), since it also serves Go's profiler.
    type: str
    default: info
  tls_min_version:
    description: C(etcd_tls_min_version); V(TLS1.3) is refused for a O(version) without C(tls-min-version).
    type: str
    required: true
  tls_cipher_suites:
    description: C(etcd_tls_cipher_suites); only ECDHE suites with AEAD encryption unless O(allow_insecure_config).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Judge the inventory and the members before any change
  etcdtls.cluster.etcd_preflight:
    members: "{{ groups['etcd'] | etcdtls.cluster.etcd_members(hostvars) }}"
    hosts: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'etcd_host_facts'))) }}"
    probes: "{{ dict(groups['etcd'] | zip(groups['etcd'] | map('extract', hostvars) | map(attribute='etcd_probe'))) }}"
    play_hosts: "{{ ansible_play_hosts }}"
    play_batch: "{{ ansible_play_batch }}"
    pki_dir: /srv/etcd/pki/etcd
    cluster_name: etcd
    service_name: etcd
    version: 3.5.17
    install_method: archive
    client_port: 2379
    peer_port: 2380
    heartbeat_interval: 100
    election_timeout: 1000
    data_dir: /var/lib/etcd
    ca_days: 3650
    leaf_days: 365
    renew_days: 30
  delegate_to: localhost
  run_once: true
  register: etcd_plan
"""

RETURN = r"""
cluster_new:
  description: No member holds data or runs etcd, and every member was reached - bootstrap a new cluster.
  returned: success
  type: bool
joining:
  description: With O(joining_allowed), the hosts without data that join the running cluster, in inventory order.
  returned: success
  type: list
  elements: str
hosts_with_data:
  description: Members that hold data or run etcd.
  returned: success
  type: list
  elements: str
hosts_running:
  description: Members on which etcd runs.
  returned: success
  type: list
  elements: str
members_hold_ca:
  description: At least one member already trusts a CA (which is then the controller's).
  returned: success
  type: bool
controller_ca:
  description: SHA-256 fingerprint of the controller's CA certificate, or null when there is none yet.
  returned: success
  type: str
problems:
  description: Every problem found, when the module fails.
  returned: failure
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.preflight import ARGUMENT_SPEC, run


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = run(module.params)
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
