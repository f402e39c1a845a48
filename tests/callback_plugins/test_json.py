# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The functional tests' stdout callback: the whole run as one JSON document, on every ansible-core
the collection supports (ansible.builtin.json exists only from 2.19; before, it was ansible.posix's).

Shape: {"plays": [{"play": {"name"}, "tasks": [{"task": {"name"}, "hosts": {host: result}}]}],
        "stats": {host: {"ok", "changed", "failures", "unreachable", "skipped", "rescued", "ignored"}}}
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: test_json
type: stdout
short_description: The run as one JSON document (etcdtls.cluster functional tests)
description:
  - Prints plays, tasks, per-host results and stats as JSON at the end of the run.
"""

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "test_json"

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def _task(self, task):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task(task)

    def _record(self, result, **extra):
        entry = dict(result._result)
        entry.update(extra)
        if self.plays and self.plays[-1]["tasks"]:
            self.plays[-1]["tasks"][-1]["hosts"][result._host.get_name()] = entry

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        summary = {}
        for host in sorted(stats.processed):
            s = stats.summarize(host)
            summary[host] = dict(
                ok=s["ok"],
                changed=s["changed"],
                failures=s["failures"],
                unreachable=s["unreachable"],
                skipped=s["skipped"],
                rescued=s["rescued"],
                ignored=s["ignored"],
            )
        self._display.display(json.dumps({"plays": self.plays, "stats": summary}, default=str, sort_keys=True))
