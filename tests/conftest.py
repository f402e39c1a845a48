# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.etcdtls.cluster`` importable from the checkout.

``collections/ansible_collections/etcdtls/cluster`` links to the repository
root, the same path ansible.cfg gives to ansible-playbook. Under
``ansible-test units`` the collection is already importable and this is a no-op.
"""

import importlib.util
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_COLLECTIONS = os.path.join(_ROOT, "collections")


def _importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


if not _importable("ansible_collections.etcdtls.cluster"):
    sys.path.insert(0, _COLLECTIONS)
