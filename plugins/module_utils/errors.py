# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one domain exception every etcdtls.cluster module catches in main()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class EtcdTLSError(Exception):
    """A failure the user can act on.

    The message names what is at fault (host, member, file or option) and,
    where there is one, the fix. Modules turn it into ``fail_json(msg=...)``.
    """

    def __init__(self, msg, **details):
        super(EtcdTLSError, self).__init__(msg)
        self.msg = msg
        self.details = details
