# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/backup.yml through real ansible-playbook: a retention count that would delete the snapshot just taken
is refused before anything is touched."""

import json
import os

import pytest
from conftest import ROOT

INVENTORY = """
etcd:
  hosts:
    m1: {{etcd_address: 127.0.0.1}}
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
    ansible_become: false
    etcd_pki_dir: {tmp}/controller/pki
    etcd_backup_dir: {tmp}/controller/backups
    etcd_config_dir: {tmp}/host/etc
    etcd_pki_host_dir: {tmp}/host/etc/pki
    etcd_data_dir: {tmp}/host/data
    etcd_backup_host_dir: {tmp}/host/backups
"""


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"etcd_backup_keep": 0}, 'm1: etcd_backup_keep "0" is not a count of snapshots to keep'),
        ({"etcd_backup_host_keep": -1}, 'm1: etcd_backup_host_keep "-1" is not a count of snapshots to keep'),
        ({"etcd_backup_keep": "2\n"}, 'm1: etcd_backup_keep "2\\n" is not a count'),
    ],
)
def test_a_count_that_deletes_the_newest_is_refused(playbook, tmp_path, extra, message):
    """Retention used to slice [keep:] (0: every snapshot, the one just taken too) and the members' script
    `tail -n +1` (all of them)."""
    rc, data = playbook.run(
        "- import_playbook: %s/playbooks/backup.yml\n" % ROOT, INVENTORY.format(tmp=tmp_path), "-e", json.dumps(extra)
    )
    assert rc != 0
    result = playbook.task_results(data, "Each retention count keeps at least the newest snapshot")["m1"]
    assert message in result["msg"] and "1 or more" in result["msg"], result
    assert sorted(os.listdir(str(tmp_path))) == ["hosts.yml", "play.yml"]
