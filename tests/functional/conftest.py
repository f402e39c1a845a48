# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers to run real ansible-playbook against the checkout."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Playbook:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path

    def run(self, playbook_text, inventory_text, *extra, prefix=()):
        """ansible-playbook with ``extra`` arguments; ``prefix``: a command it runs under (such as unshare)."""
        playbook = self.tmp_path / "play.yml"
        playbook.write_text(playbook_text)
        inventory = self.tmp_path / "hosts.yml"
        inventory.write_text(inventory_text)
        env = dict(os.environ)
        env.update(
            ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
            ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"),
            ANSIBLE_ROLES_PATH=os.path.join(ROOT, "roles"),
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "tests", "callback_plugins"),
            ANSIBLE_STDOUT_CALLBACK="test_json",
            ANSIBLE_NOCOLOR="1",
        )
        ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        proc = subprocess.run(
            [*prefix, ansible_playbook, "-i", str(inventory), str(playbook), *extra],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError("ansible-playbook printed no JSON:\n%s\n%s" % (proc.stdout, proc.stderr)) from None
        return proc.returncode, data

    @staticmethod
    def stats(data):
        return data["stats"]

    @staticmethod
    def task_results(data, name):
        for play in data["plays"]:
            for task in play["tasks"]:
                # Role tasks are named "<role> : <task name>".
                if task["task"]["name"].split(" : ")[-1] == name:
                    return task["hosts"]
        raise KeyError(name)


@pytest.fixture
def playbook(tmp_path):
    return Playbook(tmp_path)
