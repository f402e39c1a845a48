# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which snapshots are one cluster's own, and which of them retention removes.

A snapshot of backup.yml is ``<cluster>-<YYYYmmddTHHMMSSZ>.db`` with ``<cluster>-<stamp>.json`` (its description)
beside it. Only names of exactly that shape count: clusters ``etcd`` and ``etcd-prod`` may share a directory, and
``etcd-*`` matches the second's files too. The stamp is UTC time, so the names sort in time order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

# strftime's %Y%m%dT%H%M%SZ, the stamp every snapshot name carries (snapshot.yml, the members' backup script).
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
STAMP_PATTERN = r"[0-9]{8}T[0-9]{6}Z"
# The same shape as a shell glob, for the members' scheduled backup script.
STAMP_GLOB = "[0-9]" * 8 + "T" + "[0-9]" * 6 + "Z"


def own(names, cluster, extension):
    """The base names among ``names`` (paths or names) that are ``cluster``'s snapshots with ``extension``
    (``.db`` or ``.json``), newest first."""
    pattern = re.compile(r"%s-%s%s" % (re.escape(cluster), STAMP_PATTERN, re.escape(extension)))
    found = [posixpath.basename(str(name)) for name in names]
    return sorted((name for name in found if pattern.fullmatch(name)), reverse=True)


def check_keep(keep, variable):
    """A retention count keeps at least the snapshot just taken."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise EtcdTLSError(
            "%s %r is not a count of snapshots to keep: give how many of the newest snapshots stay, 1 or more "
            "(0 would delete the snapshot just taken)" % (variable, keep)
        )


def expired(paths, cluster, keep, variable="etcd_backup_keep"):
    """The paths retention removes: every described snapshot of ``cluster`` (its .json and its .db) but the
    newest ``keep`` (1 or more: the newest is never removed). ``paths`` are the .json descriptions found; other
    clusters' and undescribed files never appear in the answer."""
    check_keep(keep, variable)
    directory = {posixpath.basename(str(path)): posixpath.dirname(str(path)) for path in paths}
    removed = []
    for name in own(directory, cluster, ".json")[keep:]:
        base = posixpath.join(directory[name], name[: -len(".json")])
        removed.extend([base + ".db", base + ".json"])
    return removed
