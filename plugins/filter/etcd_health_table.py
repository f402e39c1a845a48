# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_health_table
short_description: The result of etcdtls.cluster.etcd_health as a table, one line per member
version_added: 0.1.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - Formats the result of M(etcdtls.cluster.etcd_health) for people, one line per endpoint (name, endpoint,
    health, leader, version, DB size, raft term and index, latency, served certificate's notAfter), then a
    summary line.
options:
  _input:
    description: A registered result of M(etcdtls.cluster.etcd_health).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Print the health table
  ansible.builtin.debug:
    msg: "{{ etcd_health_result | etcdtls.cluster.etcd_health_table }}"
"""

RETURN = r"""
_value:
  description: Lines of the table.
  type: list
  elements: str
"""

COLUMNS = ("NAME", "ENDPOINT", "HEALTH", "LEADER", "VERSION", "DB SIZE", "TERM", "INDEX", "TOOK", "CERT NOT AFTER")


def _size(value):
    if value is None:
        return "-"
    value = float(value)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (value, unit)
        value /= 1000.0
    return "-"


def etcd_health_table(result):
    rows = [COLUMNS]
    for ep in result.get("endpoints") or []:
        rows.append(
            (
                ep.get("name") or "-",
                ep.get("endpoint") or "-",
                "healthy" if ep.get("healthy") else "UNHEALTHY",
                "*" if ep.get("leader") else "",
                ep.get("version") or "-",
                _size(ep.get("db_size")),
                str(ep.get("raft_term", "-")),
                str(ep.get("raft_index", "-")),
                ep.get("took") or "-",
                ep.get("cert_not_after") or "-",
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    leader = (result.get("leader") or {}).get("name") or "none"
    lines.append(
        "%s: %s voting member(s), %s learner(s), quorum %s, leader %s, alarms: %s"
        % (
            "HEALTHY" if result.get("healthy") else "UNHEALTHY",
            result.get("voting_members", 0),
            result.get("learners", 0),
            result.get("quorum"),
            leader,
            ", ".join(a.get("alarm", "?") for a in result.get("alarms") or []) or "none",
        )
    )
    for failure in result.get("failures") or []:
        lines.append("  - " + failure)
    return lines


class FilterModule:
    def filters(self):
        return {"etcd_health_table": etcd_health_table}
