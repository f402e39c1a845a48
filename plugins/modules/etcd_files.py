#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: etcd_files
short_description: Ensure a member's directories and files in one round trip
version_added: 0.1.0
description:
  - Ensures directories, then files, with their content, mode, owner and group, in one call on the host.
  - Used through its action plugin, which reads each O(files[].src) on the controller. Small files travel
    inline with the call; a large file (a binary) is first compared by sha256 on the host and uploaded
    only when it differs. An unchanged set costs one round trip, however many files it holds.
  - Every write is atomic (temp file in the same directory, then rename) and created with mode 0600
    before its final mode is set, so a key is never readable by others, not even briefly. Owner and mode
    are set on open file descriptors, never by path, and a symbolic link is never followed.
  - Files holding a private key are written before the others, so a handshake that reads a new
    certificate also reads its new key.
  - Reports, per file, whether its content changed, and RV(restart_needed) when a file marked
    O(files[].restart) got new content.
author:
  - etcdtls.cluster contributors (@etcdtls)
attributes:
  check_mode:
    support: full
    description: Reports what would change; writes and uploads nothing.
  diff_mode:
    support: partial
    description: Text files marked O(files[].diff) show their content diff; other files (keys) never do.
  action:
    support: full
    description: The action plugin reads the sources on the controller and uploads large files.
options:
  directories:
    description: Directories to create or fix, in order, before the files.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      mode:
        description: Mode, as an octal string such as V("0700").
        type: raw
      owner:
        description: Owner name.
        type: str
      group:
        description: Group name.
        type: str
  files:
    description: Files to ensure.
    type: list
    elements: dict
    default: []
    suboptions:
      src:
        description:
          - Path of the source on the controller, read by the action plugin. One of O(files[].src) and
            O(files[].content) is required.
          - A source over 256 KiB (the etcd binaries of the release cache) travels as its sha256 first. That digest
            is kept beside it, as C(.NAME.sha256) in the same directory, for as long as the file's inode, size, mtime
            and ctime stay the same; a rerun reads the binaries once, not once per member. Never written in check
            mode.
        type: path
      content:
        description:
          - Content of the file, as text; the action plugin base64-encodes it for the module. Masked in all
            output.
        type: str
      sha256:
        description:
          - Set by the action plugin for a large file, with O(files[].src) pointing at the uploaded copy.
        type: str
      dest:
        description: Absolute path on the host.
        type: path
        required: true
      mode:
        description: Mode, as an octal string such as V("0600").
        type: raw
      owner:
        description: Owner name.
        type: str
      group:
        description: Group name.
        type: str
      restart:
        description: New content in this file means the service must restart (RV(restart_needed)).
        type: bool
        default: false
      restart_ignore:
        description:
          - A regular expression matched at the start of each line. With O(files[].restart), new content that differs
            from the file only in matching lines needs no restart, is written at once even with O(defer_restart), and
            the file keeps its modification time (so the process is not taken for older than its content).
          - For lines the service reads only once in its life, such as etcd's C(initial-cluster).
        type: str
      diff:
        description: Show a content diff in diff mode. Refused on content that holds a private key.
        type: bool
        default: false
  defer_restart:
    description:
      - Do not write files marked O(files[].restart) whose content differs; report them in RV(deferred) and
        RV(restart_needed) instead. The caller writes them when the member's turn to restart comes, so a new
        configuration reaches one member at a time. Other files are written as usual.
    type: bool
    default: false
  process:
    description:
      - Name of the service's process (its C(comm)). When set, RV(stale_process) tells whether the running
        process started before the newest file marked O(files[].restart) was written.
    type: str
notes:
  - The module alone takes each file's content base64-encoded in C(content) or C(sha256) plus C(src) on the
    host; the action plugin builds that from O(files[].src) and O(files[].content).
"""

EXAMPLES = r"""
- name: Push a member's certificates and keys in one round trip
  etcdtls.cluster.etcd_files:
    directories:
      - {path: /etc/etcd/pki, mode: "0700", owner: etcd, group: etcd}
    files:
      - {src: /srv/pki/ca.crt, dest: /etc/etcd/pki/ca.crt, mode: "0644", owner: etcd, group: etcd, restart: true}
      - {src: /srv/pki/members/etcd1/server.key, dest: /etc/etcd/pki/server.key, mode: "0600", owner: etcd, group: etcd}
      - content: "{{ lookup('ansible.builtin.template', 'conf.yml.j2') }}"
        dest: /etc/etcd/conf.yml
        mode: "0640"
        diff: true
        restart: true
  register: etcd_files_result
"""

RETURN = r"""
directories:
  description: Per directory, whether it changed and why.
  returned: always
  type: list
  elements: dict
files:
  description: Per file, whether it changed, whether its content changed, and why.
  returned: always
  type: list
  elements: dict
  sample:
    - {"dest": "/etc/etcd/pki/ca.crt", "changed": true, "content_changed": true, "restart": true}
restart_needed:
  description: A file marked O(files[].restart) got (or, deferred, needs) new content.
  returned: always
  type: bool
deferred:
  description: Files marked O(files[].restart) whose new content was not written because of O(defer_restart).
  returned: always
  type: list
  elements: str
process_started:
  description: Epoch seconds at which the oldest process named O(process) started; null when none runs.
  returned: always
  type: float
stale_process:
  description:
    - The process runs with older content than a file marked O(files[].restart), for instance because an
      earlier run wrote the file and stopped before restarting the service.
  returned: always
  type: bool
needs_transfer:
  description: Large files whose content differs and that the action plugin must upload (module pass only).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.files import ensure_all


def main():
    attrs = dict(
        mode=dict(type="raw"),
        owner=dict(type="str"),
        group=dict(type="str"),
    )
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(
                type="list", elements="dict", default=[], options=dict(path=dict(type="path", required=True), **attrs)
            ),
            files=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    dest=dict(type="path", required=True),
                    content=dict(type="str", no_log=True),
                    sha256=dict(type="str"),
                    src=dict(type="path"),
                    restart=dict(type="bool", default=False),
                    restart_ignore=dict(type="str"),
                    diff=dict(type="bool", default=False),
                    **attrs,
                ),
            ),
            process=dict(type="str"),
            defer_restart=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = ensure_all(
            module.params["directories"],
            module.params["files"],
            module.check_mode,
            module.params["process"],
            module.params["defer_restart"],
        )
    except EtcdTLSError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
    diffs = [f.pop("diff") for f in result["files"] if "diff" in f]
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
