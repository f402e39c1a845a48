# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() with arguments, as Ansible would, and return what it printed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

try:  # ansible-core 2.19 and later
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.16 to 2.18: the module reads its arguments from _ANSIBLE_ARGS
    import contextlib
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()):
            yield


def run_module(module, capsys, **args):
    """The module's JSON result for ``args``, with its exit code as ``_rc``. (Not a conftest.py: the unit and
    the functional tests run in one pytest call, where a second conftest module would shadow the first.)"""
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        module.main()
    out = json.loads(capsys.readouterr().out)
    out["_rc"] = exit_info.value.code
    return out
