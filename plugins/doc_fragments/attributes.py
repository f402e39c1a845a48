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
