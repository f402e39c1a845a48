# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: etcd_systemd_quote
short_description: One word of a systemd command line (ExecStart=), quoted and escaped as systemd reads it
version_added: 0.1.0
author:
  - etcdtls.cluster contributors (@etcdtls)
description:
  - "Returns the value unchanged when it holds only letters, digits and the characters V(_./:=@+,-)."
  - Otherwise wraps it in double quotes, with backslashes and double quotes escaped by a backslash, a percent sign
    doubled (a specifier otherwise) and a dollar sign doubled (an environment variable otherwise), and newlines and
    tabs written as escapes, so that systemd passes exactly the value as one argument.
options:
  _input:
    description: The argument.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: A unit line
  ansible.builtin.debug:
    msg: "ExecStart={{ '/opt/etcd 3/etcd' | etcdtls.cluster.etcd_systemd_quote }}"
"""

RETURN = r"""
_value:
  description: The argument as it is written in a unit file.
  type: str
"""

import re

_PLAIN = re.compile(r"[A-Za-z0-9_./:=@+,-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "%": "%%", "$": "$$", "\n": "\\n", "\t": "\\t"}


def etcd_systemd_quote(value):
    value = str(value)
    if _PLAIN.fullmatch(value):
        return value
    return '"%s"' % "".join(_ESCAPES.get(char, char) for char in value)


class FilterModule:
    def filters(self):
        return {"etcd_systemd_quote": etcd_systemd_quote}
