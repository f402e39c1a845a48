# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_release_features
short_description: What an etcd release has, from the collection's one table of releases
version_added: 0.3.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - The features of one etcd release as flags, with the snapshot tool, the upgrade floor into its minor and, given
    the release architecture, the C(ETCD_UNSUPPORTED_ARCH) value etcd demands there.
  - The P(etcdtls.cluster.etcd#role) role keeps it as C(etcd_install.features) of each host, which its template and
    tasks read instead of comparing version numbers.
options:
  _input:
    description: An X.Y.Z etcd release.
    type: str
    required: true
  release_arch:
    description: The release architecture, as from P(etcdtls.cluster.etcd_release_arch#filter).
    type: str
"""

EXAMPLES = r"""
- name: Does the installed etcd take tls-min-version?
  ansible.builtin.debug:
    msg: "{{ ('3.5.16' | etcdtls.cluster.etcd_release_features).tls_min_version }}"
"""

RETURN = r"""
_value:
  description: The release's features.
  type: dict
  contains:
    release:
      description: The release, X.Y.Z.
      type: str
    snapshot_tool:
      description: C(etcdutl) where it reads and restores snapshots, else C(etcdctl).
      type: str
    upgrade_floor:
      description: The lowest release of the previous minor that may move to this one, or null.
      type: str
    unsupported_arch:
      description: The C(ETCD_UNSUPPORTED_ARCH) value, or an empty string; only with O(release_arch).
      type: str
    zap_logger:
      description: "C(logger), C(log-level) and C(log-outputs); 3.4 still defaults to capnslog (3.4.0 and later)."
      type: bool
    tls_min_version:
      description: "C(tls-min-version), TLS1.2 or TLS1.3 (3.4.25 to before 3.5.0, 3.5.8 and later)."
      type: bool
    config_allowed_names:
      description: >-
        C(allowed-cn) and C(allowed-hostname) in the config file's transport-security sections (3.5.14 and later).
      type: bool
    config_allowed_name_lists:
      description: "C(allowed-cn) and C(allowed-hostname) as lists of names (3.5.15 and later)."
      type: bool
    grpc_gateway_flag:
      description: "The v3 JSON API (gRPC gateway) is on only with C(enable-grpc-gateway) (before 3.5.0)."
      type: bool
    v2_options:
      description: "The C(enable-v2) key (before 3.6.0)."
      type: bool
    experimental_corrupt_check:
      description: "C(experimental-initial-corrupt-check) (before 3.6.0)."
      type: bool
    experimental_compact_hash_check:
      description: "C(experimental-compact-hash-check-enabled) (3.5.5 to before 3.6.0)."
      type: bool
    corruption_feature_gates:
      description: "C(feature-gates) C(InitialCorruptCheck) and C(CompactHashCheck) (3.6.0 and later)."
      type: bool
    etcdutl:
      description: "C(etcdutl) ships, and reads and restores snapshots; etcdctl's forms go in 3.6 (3.5.0 and later)."
      type: bool
    bump_revision:
      description: "C(snapshot restore --bump-revision --mark-compacted) (3.4.27 to before 3.5.0, 3.5.10 and later)."
      type: bool
    learners:
      description: "C(member add --learner) and C(member promote) (3.4.0 and later)."
      type: bool
    max_learners:
      description: "C(max-learners), more than one learner at a time (3.6.0 and later)."
      type: bool
    auth_without_password:
      description: "Users without a password, authenticated by their certificate's CN (3.5.0 and later)."
      type: bool
    arm64_tier:
      description: "arm64 runs without C(ETCD_UNSUPPORTED_ARCH) (3.5.0 and later)."
      type: bool
    v2store_check:
      description: "C(etcdutl check v2store) (3.5.18 and later)."
      type: bool
    refuses_v2_data:
      description: "Will not start on v2 data: members check clean before moving to it (3.6.0 and later)."
      type: bool
    auth_rolling_upgrade_warned:
      description: "etcd's guide warns against a rolling upgrade to it with authentication on (3.5.0 to before 3.6.0)."
      type: bool
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.etcdtls.cluster.plugins.module_utils.releases import features


def etcd_release_features(version, release_arch=None):
    try:
        return features(str(version).strip(), release_arch)
    except ValueError as exc:
        raise AnsibleFilterError("etcd_release_features: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"etcd_release_features": etcd_release_features}
