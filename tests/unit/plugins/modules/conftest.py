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


@pytest.fixture
def run_module(capsys):
    """run_module(module, **args): the module's JSON result, with its exit code as ``_rc``."""

    def call(module, **args):
        with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
            module.main()
        out = json.loads(capsys.readouterr().out)
        out["_rc"] = exit_info.value.code
        return out

    return call
