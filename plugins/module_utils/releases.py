# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each etcd release has: the one table the collection reads.

The role's template and tasks read a host's ``etcd_install.features`` (this table for the release it runs,
through the ``etcd_release_features`` filter), never version numbers; the preflight and the upgrade rules read
:func:`supports` and :data:`UPGRADE_FLOORS`. A new etcd release is a change here, and a test against a real
member where one can run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Whole strings of ASCII digits only ("\d" takes other scripts' digits, "$" a trailing newline).
_VERSION = re.compile(r"([0-9]{1,4})\.([0-9]{1,4})\.([0-9]{1,6})")

# The minors this collection installs and judges.
SUPPORTED_MINORS = ((3, 4), (3, 5), (3, 6))

# feature: (what it is, [(first release that has it, first release that no longer has it)]), None meaning open.
FEATURES = {
    "zap_logger": (
        "logger, log-level, log-outputs (3.4 still defaults to capnslog)",
        [((3, 4, 0), None)],
    ),
    "tls_min_version": ("tls-min-version (TLS1.2 or TLS1.3)", [((3, 4, 25), (3, 5, 0)), ((3, 5, 8), None)]),
    # securityConfig's AllowedCN/AllowedHostname: a string in v3.5.14 (etcd commit 8bc3271af), []string from v3.5.15
    # (f8befd94f).
    "config_allowed_names": (
        "allowed-cn and allowed-hostname in the config file's transport-security sections",
        [((3, 5, 14), None)],
    ),
    "config_allowed_name_lists": ("allowed-cn and allowed-hostname as lists of names", [((3, 5, 15), None)]),
    "grpc_gateway_flag": ("the v3 JSON API (gRPC gateway) is on only with enable-grpc-gateway", [(None, (3, 5, 0))]),
    "v2_options": ("the enable-v2 key (removed in 3.6)", [(None, (3, 6, 0))]),
    "experimental_corrupt_check": ("experimental-initial-corrupt-check", [(None, (3, 6, 0))]),
    "experimental_compact_hash_check": ("experimental-compact-hash-check-enabled", [((3, 5, 5), (3, 6, 0))]),
    "corruption_feature_gates": ("feature-gates InitialCorruptCheck and CompactHashCheck", [((3, 6, 0), None)]),
    "etcdutl": ("etcdutl ships, and reads and restores snapshots (etcdctl's forms go in 3.6)", [((3, 5, 0), None)]),
    "bump_revision": (
        "restore --bump-revision --mark-compacted",
        [((3, 4, 27), (3, 5, 0)), ((3, 5, 10), None)],
    ),
    "learners": ("member add --learner and member promote", [((3, 4, 0), None)]),
    "max_learners": ("max-learners: more than one learner at a time", [((3, 6, 0), None)]),
    "auth_without_password": ("users without a password, authenticated by their certificate's CN", [((3, 5, 0), None)]),
    "arm64_tier": ("arm64 runs without ETCD_UNSUPPORTED_ARCH", [((3, 5, 0), None)]),
    "v2store_check": ("etcdutl check v2store", [((3, 5, 18), None)]),
    "refuses_v2_data": ("will not start on v2 data: members check clean before moving to it", [((3, 6, 0), None)]),
    "auth_rolling_upgrade_warned": (
        "etcd's guide warns against a rolling upgrade to it with authentication on",
        [((3, 5, 0), (3, 6, 0))],
    ),
}

# The lowest patch of the running minor that may move to the next minor, where etcd says so.
UPGRADE_FLOORS = {(3, 6): (3, 5, 32)}


def release(version):
    """(major, minor, patch) of an X.Y.Z etcd release, or None for anything else. The one reader of release
    numbers."""
    match = _VERSION.fullmatch(str(version))
    return tuple(int(part) for part in match.groups()) if match else None


# How the etcd_unsupported_arch filter has always read versions: a leading "v" and any suffix after the release
# ignored, a missing patch taken as 0.
_LOOSE_VERSION = re.compile(r"v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?")


def loose_release(version):
    """(major, minor, patch) read leniently ("v3.6.1", "3.5", "3.6.0-rc.1"), or None. Only for the public filter
    that always took such strings; everything the role judges goes through :func:`release`."""
    match = _LOOSE_VERSION.match(str(version).strip())
    return tuple(int(part or 0) for part in match.groups()) if match else None


def text(found):
    return ".".join(str(part) for part in found)


def supports(version, feature):
    """Whether the release ``version`` (X.Y.Z, or a release tuple) has ``feature``; False for no release."""
    found = version if isinstance(version, tuple) else release(version)
    if found is None:
        return False
    return any(
        (first is None or found >= first) and (before is None or found < before)
        for first, before in FEATURES[feature][1]
    )


def ranges_text(feature):
    """The releases that have ``feature``, in words ("3.4.25 to before 3.5.0, 3.5.8 and later")."""
    words = []
    for first, before in FEATURES[feature][1]:
        if first and before:
            words.append("%s to before %s" % (text(first), text(before)))
        elif first:
            words.append("%s and later" % text(first))
        else:
            words.append("before %s" % text(before))
    return ", ".join(words)


def unsupported_arch(version, release_arch):
    """The ETCD_UNSUPPORTED_ARCH value etcd demands on ``release_arch``, or an empty string."""
    if release_arch == "arm":
        return "arm"
    if release_arch == "arm64" and not supports(version, "arm64_tier"):
        return "arm64"
    return ""


def features(version, release_arch=None):
    """Every feature of the release as a flag, and what follows from them: the snapshot tool, the upgrade floor into
    this minor, and (given the release architecture) ETCD_UNSUPPORTED_ARCH. Raises ValueError for no release."""
    found = release(version)
    if found is None:
        raise ValueError("%r is not an X.Y.Z etcd release" % (version,))
    result = dict((name, supports(found, name)) for name in FEATURES)
    result["release"] = text(found)
    result["snapshot_tool"] = "etcdutl" if result["etcdutl"] else "etcdctl"
    floor = UPGRADE_FLOORS.get(found[:2])
    result["upgrade_floor"] = text(floor) if floor else None
    if release_arch is not None:
        result["unsupported_arch"] = unsupported_arch(found, release_arch)
    return result
