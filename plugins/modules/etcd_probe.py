#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_probe
short_description: What a host already holds of an etcd member, read-only
version_added: 0.2.0
description:
  - Reads, in one call and without changing anything, what the deploy must know about a host before its
    first write - the data dir its C(conf.yml) names, whether member data exists there and at O(data_dir),
    the fingerprints of the CA certificates the member trusts, and whether an etcd process runs.
  - Needs only Python's standard library on the host.
  - Returns the result as the fact C(etcd_probe), so that C(delegate_facts) can file it under a host that is
    probed from another (a member outside C(--limit)).
  - With O(gather_subset), also gathers the host's facts in the same call, with Ansible's own collectors as
    M(ansible.builtin.setup) does, so a play without fact gathering pays one round trip per host for both.
author:
  - etcdtls.cluster contributors (@etcdtls)
extends_documentation_fragment:
  - etcdtls.cluster.attributes.read_only
attributes:
  facts:
    support: full
    description: Returns C(ansible_facts.etcd_probe).
options:
  config_file:
    description: The member's C(conf.yml).
    type: path
    default: /etc/etcd/conf.yml
  data_dir:
    description: The data dir the inventory wants (C(etcd_data_dir)).
    type: path
    default: /var/lib/etcd
  ca_file:
    description: The CA bundle to read when O(config_file) names none (C(trusted-ca-file)).
    type: path
    default: /etc/etcd/pki/ca.crt
  process:
    description: Name (C(comm)) of the etcd process.
    type: str
    default: etcd
  user:
    description: The etcd system user, to say whether it exists.
    type: str
  group:
    description: The etcd system group, to say whether it exists.
    type: str
  service:
    description: The etcd service, to say whether it starts at boot (systemd or OpenRC).
    type: str
  gather_subset:
    description:
      - Also gather these subsets of the host's facts, as the option of the same name of M(ansible.builtin.setup)
        (V(min), V(network)...). Empty gathers nothing more.
    type: list
    elements: str
    default: []
  ports:
    description:
      - TCP ports (etcd's client and peer ports) to say whether anything on the host listens on, from the kernel's
        tables (C(/proc/net/tcp), C(/proc/net/tcp6)).
    type: list
    elements: int
    default: []
"""

EXAMPLES = r"""
- name: Look at what each member holds before changing anything
  etcdtls.cluster.etcd_probe:
    config_file: /etc/etcd/conf.yml
    data_dir: /var/lib/etcd

- name: Read the member and gather its minimal and network facts in one round trip
  etcdtls.cluster.etcd_probe:
    gather_subset: [min, network]
- name: Show whether etcd1 already belongs to a cluster
  ansible.builtin.debug:
    msg: "{{ hostvars['etcd1'].ansible_facts.etcd_probe.has_data }}"
"""

RETURN = r"""
ansible_facts:
  description: The probe, as the fact C(etcd_probe), and the facts of O(gather_subset) when asked.
  returned: always
  type: dict
  contains:
    etcd_probe:
      description: What the host holds.
      type: dict
      contains:
        config_file:
          description: O(config_file).
          type: str
        config_exists:
          description: Whether O(config_file) exists.
          type: bool
        config_managed:
          description: O(config_file) starts with this collection's mark (it wrote it).
          type: bool
        processes:
          description:
            - Each running process named O(process), with its C(pid), C(cmdline) (a list, cut short) and C(env) (its
              C(ETCD_*) variables; C(env_error) when they could not be read; C(truncated) when an argument, a value or
              the number of arguments was cut short). The preflight tells the members this collection started from an
              etcd started another way.
          type: list
          elements: dict
        listening:
          description: The O(ports) something listens on, whatever the process (an etcd inside k3s too).
          type: list
          elements: int
        time:
          description: The host's clock (epoch seconds) when it was read, to compare with the controller's.
          type: float
        config_data_dir:
          description: The C(data-dir) that O(config_file) names, or null.
          type: str
        data_dirs:
          description: For O(data_dir) and RV(ansible_facts.etcd_probe.config_data_dir), whether member data is there.
          type: dict
        has_data:
          description: Member data exists in one of RV(ansible_facts.etcd_probe.data_dirs).
          type: bool
        ca_files:
          description: The CA files read (the C(trusted-ca-file) entries of O(config_file), else O(ca_file)).
          type: list
          elements: str
        ca_fingerprints:
          description: SHA-256 fingerprints (C(AB:CD:...)) of every CA certificate the member trusts.
          type: list
          elements: str
          sample: ["3F:2A:..."]
        running:
          description: A process named O(process) runs on the host.
          type: bool
        user_exists:
          description: O(user) exists; null when not asked.
          type: bool
        group_exists:
          description: O(group) exists; null when not asked.
          type: bool
        service_enabled:
          description: O(service) starts at boot (a systemd wants-link or an OpenRC runlevel entry); null if not asked.
          type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.probe import gather_host_facts, probe_member


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_file=dict(type="path", default="/etc/etcd/conf.yml"),
            data_dir=dict(type="path", default="/var/lib/etcd"),
            ca_file=dict(type="path", default="/etc/etcd/pki/ca.crt"),
            process=dict(type="str", default="etcd"),
            user=dict(type="str"),
            group=dict(type="str"),
            service=dict(type="str"),
            gather_subset=dict(type="list", elements="str", default=[]),
            ports=dict(type="list", elements="int", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        probe = probe_member(
            params["config_file"],
            params["data_dir"],
            params["ca_file"],
            params["process"],
            params["user"],
            params["group"],
            params["service"],
            params["ports"],
        )
        facts = gather_host_facts(module, params["gather_subset"])
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    facts["etcd_probe"] = probe
    module.exit_json(changed=False, ansible_facts=facts)


if __name__ == "__main__":
    main()
