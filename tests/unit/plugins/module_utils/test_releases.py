# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of what each etcd release has: its edges, and that everything reading releases reads it."""

import glob
import os
import re

import pytest
import yaml

from ansible_collections.etcdtls.cluster.plugins.filter import etcd_release_features
from ansible_collections.etcdtls.cluster.plugins.module_utils import releases

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


@pytest.mark.parametrize(
    "feature, has, lacks",
    [
        ("tls_min_version", ["3.4.25", "3.4.45", "3.5.8", "3.6.0"], ["3.4.24", "3.5.0", "3.5.7"]),
        ("grpc_gateway_flag", ["3.4.23", "3.4.45"], ["3.5.0", "3.6.0"]),
        ("v2_options", ["3.4.23", "3.5.30"], ["3.6.0", "3.7.0"]),
        ("experimental_corrupt_check", ["3.4.23", "3.5.30"], ["3.6.0"]),
        ("experimental_compact_hash_check", ["3.5.5", "3.5.30"], ["3.4.45", "3.5.4", "3.6.0"]),
        ("corruption_feature_gates", ["3.6.0", "3.7.1"], ["3.5.30"]),
        ("etcdutl", ["3.5.0", "3.6.0"], ["3.4.45"]),
        ("bump_revision", ["3.4.27", "3.5.10", "3.6.0"], ["3.4.26", "3.5.0", "3.5.9"]),
        ("auth_without_password", ["3.5.0"], ["3.4.45"]),
        ("refuses_v2_data", ["3.6.0"], ["3.5.32"]),
        ("auth_rolling_upgrade_warned", ["3.5.0", "3.5.30"], ["3.4.45", "3.6.0"]),
    ],
)
def test_each_feature_starts_and_ends_where_etcd_says(feature, has, lacks):
    assert all(releases.supports(version, feature) for version in has), has
    assert not any(releases.supports(version, feature) for version in lacks), lacks


def test_the_features_of_one_release():
    found = releases.features("3.4.23", "arm64")
    assert found["release"] == "3.4.23" and found["snapshot_tool"] == "etcdctl"
    assert found["unsupported_arch"] == "arm64" and found["upgrade_floor"] is None
    found = releases.features("3.6.1", "arm")
    assert found["snapshot_tool"] == "etcdutl" and found["upgrade_floor"] == "3.5.32"
    assert found["unsupported_arch"] == "arm"
    assert releases.features("3.5.16", "amd64")["unsupported_arch"] == ""
    assert "unsupported_arch" not in releases.features("3.5.16")


NOT_RELEASES = ["3.5", "latest", "3.5.16\n", "v3.5.16", "3.5.16-rc.1", "", None, "\u0663.\u0665.\u0661"]


@pytest.mark.parametrize("version", NOT_RELEASES)
def test_no_release_has_no_feature(version):
    assert releases.release(version) is None
    assert not releases.supports(version, "etcdutl")
    with pytest.raises(ValueError):
        releases.features(version)


def test_the_filter_documents_every_feature_of_the_table():
    returned = yaml.safe_load(etcd_release_features.RETURN)["_value"]["contains"]
    assert set(returned) == set(releases.FEATURES) | {"release", "snapshot_tool", "upgrade_floor", "unsupported_arch"}
    assert set(releases.features("3.5.16", "amd64")) == set(returned)
    for feature in releases.FEATURES:
        assert returned[feature]["description"].endswith("(%s)." % releases.ranges_text(feature)), feature


def test_the_role_reads_features_never_version_numbers():
    """No template or task file compares releases: they read etcd_install.features (or the filter)."""
    found = []
    role = os.path.join(ROOT, "roles", "etcd")
    for path in glob.glob(os.path.join(role, "**", "*"), recursive=True):
        if os.path.isfile(path) and path.endswith((".yml", ".j2")):
            with open(path) as handle:
                for number, line in enumerate(handle, 1):
                    if re.search(r"is version\(|version\('3|etcd_unsupported_arch", line):
                        found.append("%s:%d" % (os.path.relpath(path, role), number))
    assert not found, found


@pytest.mark.parametrize(
    "version, wanted",
    [("v3.6.1", (3, 6, 1)), ("3.5", (3, 5, 0)), ("3.6.0-rc.1", (3, 6, 0)), ("latest", None), ("", None)],
)
def test_the_loose_reading_of_the_public_filter(version, wanted):
    assert releases.loose_release(version) == wanted
