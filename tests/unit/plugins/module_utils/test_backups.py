# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retention removes only one cluster's own described snapshots, never another cluster's sharing the directory."""

import datetime
import os
import re

import pytest
import yaml

from ansible_collections.etcdtls.cluster.plugins.module_utils import backups
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DIR = "/backups"


def described(cluster, *stamps):
    return ["%s/%s-%s.json" % (DIR, cluster, stamp) for stamp in stamps]


def test_two_clusters_share_a_directory():
    """`etcd-*` also matches etcd-prod's files, whose names sort after etcd's own: the old retention deleted
    etcd-prod's snapshots, or kept them and deleted etcd's newest."""
    found = described("etcd", "20261201T000000Z", "20261202T000000Z", "20261203T000000Z") + described(
        "etcd-prod", "20261130T000000Z", "20261204T000000Z"
    )
    assert backups.expired(found, "etcd", 2) == [DIR + "/etcd-20261201T000000Z.db", DIR + "/etcd-20261201T000000Z.json"]
    assert backups.expired(found, "etcd-prod", 1) == [
        DIR + "/etcd-prod-20261130T000000Z.db",
        DIR + "/etcd-prod-20261130T000000Z.json",
    ]


def test_only_the_exact_name_shape_counts():
    found = [
        DIR + "/etcd-20261201T000000Z.json",
        DIR + "/etcd-20261202T000000Z.json",
        DIR + "/etcd-20261203T000000Z-etcd1.json",  # a recovery's database shape
        DIR + "/etcd-latest.json",
        DIR + "/etcdx-20261201T000000Z.json",
        DIR + "/etcd-2026120\u0661T000000Z.json",
        DIR + "/prefix-etcd-20261201T000000Z.json",
    ]
    assert backups.own(found, "etcd", ".json") == ["etcd-20261202T000000Z.json", "etcd-20261201T000000Z.json"]
    assert backups.expired(found, "etcd", 1) == [DIR + "/etcd-20261201T000000Z.db", DIR + "/etcd-20261201T000000Z.json"]


def test_a_dot_in_the_cluster_name_is_literal():
    found = [*described("etcd.a", "20261201T000000Z"), "%s/etcdxa-20261201T000000Z.json" % DIR]
    assert backups.own(found, "etcd.a", ".json") == ["etcd.a-20261201T000000Z.json"]


def test_keep_at_least_what_there_is_removes_nothing():
    assert backups.expired(described("etcd", "20261201T000000Z"), "etcd", 7) == []


@pytest.mark.parametrize("keep", [0, -1, True, "2"])
def test_the_newest_is_always_kept(keep):
    """keep 0 (or a negative count, which slices from the end) deleted the snapshot just taken."""
    with pytest.raises(EtcdTLSError, match=r"etcd_backup_keep .* 1 or more"):
        backups.expired(described("etcd", "20261201T000000Z"), "etcd", keep)


def test_the_shapes_agree():
    """The stamp strftime writes, the regex retention reads and the members' shell glob are one shape."""
    stamp = datetime.datetime(2026, 12, 2, 3, 4, 5).strftime(backups.STAMP_FORMAT)
    assert re.fullmatch(backups.STAMP_PATTERN, stamp)
    with open(os.path.join(ROOT, "roles", "etcd", "vars", "main.yml")) as handle:
        assert yaml.safe_load(handle)["__etcd_backup_stamp_glob"] == backups.STAMP_GLOB
    with open(os.path.join(ROOT, "roles", "etcd", "tasks", "steps", "snapshot.yml")) as handle:
        assert backups.STAMP_FORMAT in handle.read()
    with open(os.path.join(ROOT, "roles", "etcd", "templates", "etcd-backup.sh.j2")) as handle:
        script = handle.read()
    assert "date -u +%s" % backups.STAMP_FORMAT in script
    assert '"$dir/$cluster"-{{ __etcd_backup_stamp_glob }}.db' in script


def test_the_filter_names_the_variable():
    from ansible.errors import AnsibleFilterError

    from ansible_collections.etcdtls.cluster.plugins.filter.etcd_backup_expired import FilterModule

    expired = FilterModule().filters()["etcd_backup_expired"]
    assert expired(described("etcd", "20261201T000000Z", "20261202T000000Z"), "etcd", 1) == [
        DIR + "/etcd-20261201T000000Z.db",
        DIR + "/etcd-20261201T000000Z.json",
    ]
    with pytest.raises(AnsibleFilterError, match="etcd_backup_keep 0 is not a count of snapshots to keep"):
        expired([], "etcd", 0)
