# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The members' scheduled backup script (etcd-backup.sh.j2), rendered by Ansible from the role's own vars and run
as root against a real etcd on loopback: its modes under umask 022, its retention beside another cluster's
snapshots in the same directory, and values that reach its shell taken literally."""

import json
import os
import re
import stat
import subprocess
import time

import pytest
from conftest import ROOT
from local_etcd import BIN, LOCAL_INVENTORY, LocalCluster

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the script makes its directory root's (install -o root)")

STAMPED = re.compile(r"etcd-[0-9]{8}T[0-9]{6}Z\.db")

PLAY = """
- name: Render the members' backup script
  hosts: local
  gather_facts: false
  vars_files:
    - {root}/roles/etcd/defaults/main.yml
    - {root}/roles/etcd/vars/main.yml
  tasks:
    - name: Render it
      ansible.builtin.template:
        src: {root}/roles/etcd/templates/etcd-backup.sh.j2
        dest: {dest}
        mode: "0750"
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # A space in the path of the client certificates: the script's exported ETCDCTL_* values must be quoted.
    root = tmp_path_factory.mktemp("backup script") / "certs and data"
    root.mkdir()
    local = LocalCluster(str(root), ["127.0.0.1"])
    local.build_pki()
    local.start(local.members[0])
    local.ensure_healthy()
    yield local
    local.stop_all()


def render(playbook, tmp_path, cluster, backup_dir, keep):
    script = tmp_path / "etcd-backup"
    settings = {
        "etcd_cluster_name": "etcd",
        "etcd_backup_host_dir": str(backup_dir),
        "etcd_backup_host_keep": keep,
        "etcd_member": {"name": "m1", "client_url": cluster.endpoints()[0]},
        "etcd_install": {"version": "3.5.1", "bin_dir": BIN, "features": {"snapshot_tool": "etcdutl"}},
        "__etcd_etcdctl_env": {
            "ETCDCTL_API": "3",
            "ETCDCTL_ENDPOINTS": cluster.endpoints()[0],
            "ETCDCTL_CACERT": os.path.join(cluster.pki, "ca.crt"),
            "ETCDCTL_CERT": os.path.join(cluster.pki, "clients", "admin.crt"),
            "ETCDCTL_KEY": os.path.join(cluster.pki, "clients", "admin.key"),
        },
    }
    rc, data = playbook.run(PLAY.format(root=ROOT, dest=script), LOCAL_INVENTORY, "-e", json.dumps(settings))
    assert rc == 0, data
    return script


def run(script, cwd):
    """As the timer runs it, but under the operator's loose umask 022."""
    proc = subprocess.run(
        [str(script)], cwd=str(cwd), capture_output=True, text=True, check=False, preexec_fn=lambda: os.umask(0o022)
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def test_retention_and_modes_beside_another_cluster(playbook, tmp_path, cluster):
    """etcd-prod shares the directory: `etcd-*` matches its files too. The old script deleted them, or (sorting by
    time, etcd-prod's snapshot being newer) kept them and deleted etcd's own newest."""
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir()
    os.chmod(str(backup_dir), 0o755)  # as a umask of 022 leaves it
    other = ["etcd-prod-20000101T000000Z.db", "etcd-prod-20991231T000000Z.db", "etcd-latest.db"]
    for name in other:
        (backup_dir / name).write_text("another's %s" % name)
    (backup_dir / "etcd-20000101T000000Z.db").write_text("etcd's oldest")
    script = render(playbook, tmp_path, cluster, backup_dir, keep=2)
    made = []
    for _ in range(3):
        made.append(run(script, tmp_path))
        # etcd-prod's own timer fires after each of etcd's snapshots.
        newer = backup_dir / "etcd-prod-20991231T000000Z.db"
        if newer.exists():
            os.utime(str(newer), (time.time() + 60, time.time() + 60))
        time.sleep(1.1)  # the names carry seconds
    names = sorted(os.listdir(str(backup_dir)))
    # The other cluster's files and a name that is not a snapshot's are untouched; etcd's newest two are kept.
    assert [name for name in names if not STAMPED.fullmatch(name)] == sorted(other), names
    assert [os.path.join(str(backup_dir), name) for name in names if STAMPED.fullmatch(name)] == made[1:], names
    for name in other:
        assert (backup_dir / name).read_text() == "another's %s" % name
    # Root's private directory and snapshots, whatever the umask; no work directory left behind.
    assert mode(backup_dir) == 0o700 and os.stat(str(backup_dir)).st_uid == 0
    assert {mode(path) for path in made[1:]} == {0o600}
    assert not [name for name in names if name.startswith(".")], names
    # A real snapshot, which etcd's own status reads.
    status = subprocess.run(
        [os.path.join(BIN, "etcdutl"), "snapshot", "status", made[-1], "-w", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(status.stdout)["totalKey"] > 0


def test_a_directory_name_is_not_shell(playbook, tmp_path, cluster):
    """A `;` in etcd_backup_host_dir used to run the rest of the name as a command (the preflight refuses such a
    path; the script is safe regardless)."""
    backup_dir = tmp_path / "b;touch injected;x"
    script = render(playbook, tmp_path, cluster, backup_dir, keep=1)
    made = run(script, tmp_path)
    assert not (tmp_path / "injected").exists()
    assert os.path.dirname(made) == str(backup_dir) and STAMPED.fullmatch(os.path.basename(made))
    assert mode(backup_dir) == 0o700 and mode(made) == 0o600
