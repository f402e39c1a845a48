# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a controller-side module of the collection inside Ansible's own worker process.

etcd_preflight and etcd_pki run once per play on the controller. Sent as modules, each pays a new
Python interpreter and the unpacking of its payload (about 0.3 s a call). When the task runs on the
controller itself (a local connection, no become), the action validates the arguments against the
module's own spec and calls the same ``run`` function the module calls; anywhere else it sends the
module as usual, so both paths share one implementation and one argument spec.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


class InProcessModuleAction(ActionBase):
    """Subclasses name the module and give its ARGUMENT_SPEC and run(params, check_mode, diff)."""

    MODULE = None
    ARGUMENT_SPEC = None
    _VALID_ARGS = None

    @staticmethod
    def run_module(params, check_mode, diff):
        raise NotImplementedError

    def precheck(self):
        """An error message when the module cannot run in this process (a missing library), else None."""
        return None

    def _in_process(self):
        return self._connection.transport in ("local", "ansible.builtin.local") and not self._play_context.become

    def run(self, tmp=None, task_vars=None):
        result = super(InProcessModuleAction, self).run(tmp, task_vars)
        if not self._in_process():
            module_args = self._task.args
            result.update(self._execute_module(module_name=self.MODULE, module_args=module_args, task_vars=task_vars))
            return result
        validated = ArgumentSpecValidator(self.ARGUMENT_SPEC).validate(self._task.args)
        if validated.error_messages:
            result.update(failed=True, msg="%s: %s" % (self.MODULE, "; ".join(validated.error_messages)))
            return result
        # As a module reports it: the arguments with every no_log value masked.
        result["invocation"] = {"module_args": remove_values(validated.validated_parameters, validated._no_log_values)}
        problem = self.precheck()
        if problem:
            result.update(failed=True, msg=problem)
            return result
        try:
            output = self.run_module(validated.validated_parameters, self._task.check_mode, self._task.diff)
        except EtcdTLSError as exc:
            result.update(exc.details)
            result.update(failed=True, msg=exc.msg)
            return result
        warnings = output.pop("warnings", [])
        if warnings:
            result["warnings"] = list(warnings)
        result.update(output)
        result.setdefault("changed", False)
        return result
