# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of etcdtls.cluster.etcd_files: one round trip for a whole set of files.

Small files (certificates, keys, configs) travel inline with the module call, base64-encoded and
masked by the module's no_log. Large files (binaries) travel as a sha256 first (worked out once and kept
beside the file, files.cached_sha256_of); only those that differ on the host are uploaded, then
installed by a second module call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.etcdtls.cluster.plugins.module_utils.files import cached_sha256_of, sha256_cache_of

MODULE = "etcdtls.cluster.etcd_files"
INLINE_LIMIT = 256 * 1024


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _requires_connection = True

    def _prepare(self, files):
        """Module arguments for each file, the controller path of each large one by dest, and the
        files whose source does not exist yet (check mode: an earlier task would have built it)."""
        prepared, large, pending = [], {}, []
        for spec in files:
            item = dict((k, v) for k, v in spec.items() if k not in ("src", "content"))
            if "dest" not in spec:
                raise AnsibleActionFail("etcd_files: every file needs a dest")
            if spec.get("content") is not None:
                data = spec["content"]
                data = data.encode("utf-8") if not isinstance(data, bytes) else data
                item["content"] = base64.b64encode(data).decode("ascii")
            elif spec.get("src"):
                src = os.path.expanduser(spec["src"])
                if not os.path.isfile(src) and self._task.check_mode:
                    pending.append(
                        {
                            "dest": spec["dest"],
                            "changed": True,
                            "content_changed": True,
                            "restart": bool(spec.get("restart")),
                            "reason": "would be pushed once %s exists (check mode)" % src,
                        }
                    )
                    continue
                if not os.path.isfile(src):
                    raise AnsibleActionFail(
                        "etcd_files: %s: source %s does not exist on the controller" % (spec["dest"], src)
                    )
                if os.path.getsize(src) <= INLINE_LIMIT:
                    with open(src, "rb") as handle:
                        item["content"] = base64.b64encode(handle.read()).decode("ascii")
                else:
                    item["sha256"] = cached_sha256_of(src, write=not self._task.check_mode)
                    large[spec["dest"]] = src
            else:
                raise AnsibleActionFail("etcd_files: %s needs src or content" % spec["dest"])
            prepared.append(item)
        return prepared, large, pending

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        directories = args.get("directories") or []
        files, large, pending = self._prepare(args.get("files") or [])

        process = args.get("process")
        defer_restart = bool(args.get("defer_restart"))
        first = self._execute_module(
            module_name=MODULE,
            module_args={
                "directories": directories,
                "files": files,
                "process": process,
                "defer_restart": defer_restart,
            },
            task_vars=task_vars,
        )
        if pending and not first.get("failed"):
            first["files"] = first.get("files", []) + pending
            first["changed"] = True
            first["restart_needed"] = first.get("restart_needed") or any(p["restart"] for p in pending)
        if first.get("failed") or not first.get("needs_transfer") or self._task.check_mode:
            result.update(first)
            return result

        # Upload only the large files that differ, then install them from the upload.
        remote_tmp = self._make_tmp_path()
        uploads = []
        try:
            for item in files:
                if item["dest"] in first["needs_transfer"]:
                    remote = self._connection._shell.join_path(remote_tmp, os.path.basename(item["dest"]))
                    self._transfer_file(large[item["dest"]], remote)
                    uploads.append(remote)
                    item["src"] = remote
            self._fixup_perms2([remote_tmp, *uploads])
            second = self._execute_module(
                module_name=MODULE,
                module_args={
                    "directories": [],
                    "files": [f for f in files if f["dest"] in first["needs_transfer"]],
                    "process": process,
                    "defer_restart": defer_restart,
                },
                task_vars=task_vars,
            )
        finally:
            self._remove_tmp_path(remote_tmp)
        if second.get("failed"):
            if "does not have sha256" in str(second.get("msg", "")):
                # The upload is not what the kept digest says: drop each kept digest, so the next run works them out
                # from the files themselves instead of failing the same way.
                for src in large.values():
                    with contextlib.suppress(OSError):
                        os.unlink(sha256_cache_of(src))
                second["msg"] = str(second["msg"]) + (
                    "; the controller's kept digests of %s were dropped: run again to push them by their own digest"
                    % ", ".join(sorted(large.values()))
                )
            result.update(second)
            return result
        installed = dict((f["dest"], f) for f in second["files"])
        first["files"] = [installed.get(f["dest"], f) for f in first["files"]]
        first["needs_transfer"] = []
        first["restart_needed"] = first["restart_needed"] or second["restart_needed"]
        first["stale_process"] = second["stale_process"]
        first["changed"] = True
        result.update(first)
        return result
