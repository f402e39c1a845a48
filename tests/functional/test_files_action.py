# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_files's action plugin pushing a large file by its digest, for real (ansible-playbook, local connection): a
kept digest that is not the file's makes the host refuse the upload, the kept digest is dropped, and the next run
pushes the file by its own digest."""

import hashlib
import json

from local_etcd import LOCAL_INVENTORY

PLAY = """
- name: Push a large file
  hosts: here
  gather_facts: false
  tasks:
    - name: Push
      etcdtls.cluster.etcd_files:
        files:
          - {src: "%(src)s", dest: "%(dest)s", mode: "0755"}
"""


def test_a_kept_digest_that_is_not_the_files_is_dropped(playbook, tmp_path):
    src = tmp_path / "release" / "etcd"
    src.parent.mkdir()
    src.write_bytes(b"\x7fELF etcd " * 40000)  # over the inline limit: pushed by digest
    dest = tmp_path / "bin" / "etcd"
    dest.parent.mkdir()
    play = PLAY % {"src": src, "dest": dest}
    rc, _data = playbook.run(play, LOCAL_INVENTORY)
    assert rc == 0 and dest.read_bytes() == src.read_bytes()
    kept = src.parent / ".etcd.sha256"
    key, _sep, digest = kept.read_text().strip().rpartition(" ")
    assert digest == hashlib.sha256(src.read_bytes()).hexdigest()

    # A kept digest for this very file (same key) that is not its digest, and a host that no longer has the file.
    kept.write_text("%s %s\n" % (key, "0" * 64))
    dest.unlink()
    rc, data = playbook.run(play, LOCAL_INVENTORY)
    result = playbook.task_results(data, "Push")["here"]
    assert rc != 0 and "does not have sha256" in result["msg"], json.dumps(result)
    assert "kept digests of %s were dropped: run again" % src in result["msg"]
    assert not kept.exists() and not dest.exists()

    rc, _data = playbook.run(play, LOCAL_INVENTORY)
    assert rc == 0 and dest.read_bytes() == src.read_bytes()
