# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_compliance
short_description: Judge what M(etcdtls.cluster.etcd_audit) read on a member
version_added: 0.3.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - The CIS Kubernetes Benchmark's etcd items 2.1 to 2.7 and this collection's rules (data dir, keys and
    C(conf.yml) permissions, TLS floor and suites with a CBC handshake refused, peers isolated from clients by a
    real handshake, no plain-http listener, served certificates outside the renewal window), each with what was
    found and, for a miss, the fix.
options:
  _input:
    description: The RV(etcdtls.cluster.etcd_audit#module:audit) result of one member.
    type: dict
    required: true
  expect:
    description:
      - C(user), C(group), C(data_dir), C(key_files), C(config_file), C(renew_days), and C(known_cas) (the
        fingerprints of the controller's CAs, RV(etcdtls.cluster.etcd_pki#module:known_cas), which the member must
        trust and no other). The filter reads no file.
    type: dict
    required: true
  host:
    description: The inventory host the audit is of, put on each check (so a play can gather every miss).
    type: str
"""

EXAMPLES = r"""
- name: Judge a member
  ansible.builtin.set_fact:
    report: "{{ audit.audit | etcdtls.cluster.etcd_compliance(expect, inventory_hostname) }}"
"""

RETURN = r"""
_value:
  description:
    - C(checks), each with C(id), C(title), C(ok), C(detail), C(fix) (null when it passes) and, with O(host),
      C(host) and C(line) (the check as one line of a failure message, host first); C(misses), how many
      failed; C(rows), one line per check for a report (C(PASS)/C(MISS), id, title, what was found, the fix).
  type: dict
"""

from ansible.errors import AnsibleFilterError

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core depends on PyYAML
    yaml = None


def etcd_compliance(audit, expect, host=None):
    if not isinstance(audit, dict) or not isinstance(expect, dict) or not isinstance(expect.get("known_cas"), list):
        raise AnsibleFilterError(
            "etcd_compliance wants the audit dict of etcd_audit and an expect dict with known_cas (etcd_pki's)"
        )
    try:
        config = yaml.safe_load(audit.get("config_text") or "") if audit.get("config_text") else None
    except yaml.YAMLError as exc:
        config = None
        audit = dict(audit, config_error="%s is not YAML: %s" % (audit.get("config_file"), exc))
    # Imported here, not at the top: Ansible imports every filter file of the collection in each worker whose
    # templates name any one of them (16 workers of a 3-member rerun), and the judgement brings the etcdctl runner,
    # ssl and a thread pool with it (about 25 ms of CPU each time), for the one task that calls it.
    from ansible_collections.etcdtls.cluster.plugins.module_utils.compliance import judge

    checks = judge(audit, config, expect)
    if host is not None:
        checks = [
            dict(
                check,
                host=host,
                line="- %s %s %s: %s. Fix: %s" % (host, check["id"], check["title"], check["detail"], check["fix"]),
            )
            for check in checks
        ]
    rows = [
        "%s %-14s %s: %s%s"
        % ("PASS" if c["ok"] else "MISS", c["id"], c["title"], c["detail"], "" if c["ok"] else ". Fix: %s" % c["fix"])
        for c in checks
    ]
    return {"checks": checks, "misses": len([c for c in checks if not c["ok"]]), "rows": rows}


class FilterModule:
    def filters(self):
        return {"etcd_compliance": etcd_compliance}
