# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The attributes of a module that only reads (etcd_health, etcd_probe, etcd_preflight).
    READ_ONLY = r"""
attributes:
  check_mode:
    support: full
    description: Read-only, runs in check mode as in a normal run.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to diff.
"""

    # A controller-side module with an action plugin that runs its code in-process (etcd_pki, etcd_preflight).
    IN_PROCESS = r"""
attributes:
  action:
    support: full
    description:
      - When the task runs on the controller (a local connection, as with C(delegate_to localhost), and no become),
        the action plugin runs the module's code inside Ansible's own process, with the same argument spec;
        anywhere else the module is sent as usual.
"""
