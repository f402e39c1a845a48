# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_cert_report
short_description: Every certificate of the cluster, in the PKI and served by the members, soonest expiry first
version_added: 0.3.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - One line per certificate, soonest expiry first - each of the controller's PKI (as M(etcdtls.cluster.etcd_pki)
    reports it; C(RENEW) and the reason for one it would renew), then each member's served client and peer
    certificate (as M(etcdtls.cluster.etcd_health) read them by TLS handshakes; C(UNREADABLE) for one it could not).
options:
  _input:
    description: A registered result of M(etcdtls.cluster.etcd_pki).
    type: dict
    required: true
  served:
    description: A registered result of M(etcdtls.cluster.etcd_health).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Report every certificate
  ansible.builtin.debug:
    msg: "{{ etcd_pki_result | etcdtls.cluster.etcd_cert_report(etcd_check_served) }}"
"""

RETURN = r"""
_value:
  description: Lines of the report - notAfter (or C(RENEW), C(UNREADABLE)), where, which certificate, and why or
    how many days are left.
  type: list
  elements: str
"""


def etcd_cert_report(pki, served):
    rows = [
        [
            cert.get("not_after") if cert.get("action") == "unchanged" else "RENEW",
            "controller",
            cert["id"],
            cert.get("reason") or "",
        ]
        for cert in (pki or {}).get("certificates") or []
    ]
    for entry in (served or {}).get("endpoints") or []:
        who = entry.get("name") or entry.get("endpoint")
        for port, prefix in (("client", "cert"), ("peer", "peer_cert")):
            rows.append(
                [
                    entry.get(prefix + "_not_after") or "UNREADABLE",
                    "served",
                    "%s %s" % (who, port),
                    "%s days left" % entry.get(prefix + "_days_left"),
                ]
            )
    return ["  ".join(str(cell) for cell in row) for row in sorted(rows, key=lambda row: str(row[0]))]


class FilterModule:
    def filters(self):
        return {"etcd_cert_report": etcd_cert_report}
