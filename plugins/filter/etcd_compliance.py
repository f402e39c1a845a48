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
      - C(user), C(group), C(data_dir), C(key_files), C(config_file), C(renew_days), and C(pki_dir) (the
        controller's PKI directory, whose CAs the member must trust and no other).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Judge a member
  ansible.builtin.set_fact:
    report: "{{ audit.audit | etcdtls.cluster.etcd_compliance(expect) }}"
"""

RETURN = r"""
_value:
  description:
    - C(checks), each with C(id), C(title), C(ok), C(detail) and C(fix) (null when it passes); C(misses), how many
      failed; C(rows), one line per check for a report (C(PASS)/C(MISS), id, title, what was found, the fix).
  type: dict
"""

from ansible.errors import AnsibleFilterError

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core depends on PyYAML
    yaml = None

from ansible_collections.etcdtls.cluster.plugins.module_utils.compliance import judge
from ansible_collections.etcdtls.cluster.plugins.module_utils.preflight import controller_known


def etcd_compliance(audit, expect):
    if not isinstance(audit, dict) or not isinstance(expect, dict):
        raise AnsibleFilterError("etcd_compliance wants the audit dict of etcd_audit and an expect dict")
    try:
        config = yaml.safe_load(audit.get("config_text") or "") if audit.get("config_text") else None
    except yaml.YAMLError as exc:
        config = None
        audit = dict(audit, config_error="%s is not YAML: %s" % (audit.get("config_file"), exc))
    expect = dict(expect, known_cas=sorted(controller_known(expect["pki_dir"])[0]))
    checks = judge(audit, config, expect)
    rows = [
        "%s %-14s %s: %s%s"
        % ("PASS" if c["ok"] else "MISS", c["id"], c["title"], c["detail"], "" if c["ok"] else ". Fix: %s" % c["fix"])
        for c in checks
    ]
    return {"checks": checks, "misses": len([c for c in checks if not c["ok"]]), "rows": rows}


class FilterModule:
    def filters(self):
        return {"etcd_compliance": etcd_compliance}
