# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of etcdtls.cluster.etcd_preflight: on the controller, the judgement runs in-process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.etcdtls.cluster.plugins.module_utils import preflight
from ansible_collections.etcdtls.cluster.plugins.plugin_utils.in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    MODULE = "etcdtls.cluster.etcd_preflight"
    ARGUMENT_SPEC = preflight.ARGUMENT_SPEC
    run_module = staticmethod(preflight.run)
