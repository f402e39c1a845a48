# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of etcdtls.cluster.etcd_pki: on the controller, the PKI is built in-process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.etcdtls.cluster.plugins.module_utils import certs, pki
from ansible_collections.etcdtls.cluster.plugins.plugin_utils.in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    MODULE = "etcdtls.cluster.etcd_pki"
    ARGUMENT_SPEC = pki.ARGUMENT_SPEC
    run_module = staticmethod(pki.run)

    def precheck(self):
        if not certs.HAS_CRYPTOGRAPHY:
            return "%s (%s)" % (missing_required_lib("cryptography"), certs.CRYPTOGRAPHY_IMPORT_ERROR)
        return None
