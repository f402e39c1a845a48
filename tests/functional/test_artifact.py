# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the built collection holds: what a user needs, nothing of the development setup."""

import os
import subprocess
import sys
import tarfile

from conftest import ROOT

SHIPS = [
    "README.md",
    "LICENSE",
    "MANIFEST.json",
    "meta/runtime.yml",
    "playbooks/site.yml",
    "playbooks/rotate-certs.yml",
    "playbooks/check-certs.yml",
    "site.yml",
    "roles/etcd/tasks/main.yml",
    "roles/etcd/meta/argument_specs.yml",
    "plugins/modules/etcd_pki.py",
    "plugins/modules/etcd_health.py",
    "plugins/module_utils/preflight.py",
    "inventories/raspberrypi/hosts.yml",
    "inventories/x86/hosts.yml",
    "changelogs/changelog.yaml",
]
STAYS = ("Makefile", "ansible.cfg", ".ansible-lint", ".yamllint", "ruff.toml", "requirements-dev.txt")
STAYS_DIRS = ("inventories/demo/", "molecule/", "tests/", "benchmarks/", "scripts/", ".cache/", "collections/", ".ci/")


def test_the_artifact_ships_what_users_need_and_nothing_of_the_development_setup(tmp_path):
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    proc = subprocess.run(
        [galaxy, "collection", "build", "--output-path", str(tmp_path), ROOT],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (artifact,) = [p for p in os.listdir(str(tmp_path)) if p.endswith(".tar.gz")]
    with tarfile.open(str(tmp_path / artifact)) as tar:
        names = [name[2:] if name.startswith("./") else name for name in tar.getnames()]
    missing = [name for name in SHIPS if name not in names]
    assert not missing, missing
    leaked = [n for n in names if n in STAYS or n.startswith(STAYS_DIRS) or n.rstrip("/") + "/" in STAYS_DIRS]
    assert not leaked, leaked
