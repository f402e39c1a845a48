# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a host's probe (probe.probe_member) shows that must stop a run before any change: an etcd this collection
did not deploy, and a clock too far from the controller's for TLS.

An etcd the collection deployed runs exactly ``<bin>/etcd --config-file=<etcd_config_dir>/conf.yml`` (its systemd
unit and its OpenRC script), with no ETCD_* setting but ETCD_UNSUPPORTED_ARCH, and that conf.yml starts with the
collection's mark. Anything else (flags, an environment file, a conf.yml of someone else's, member data without a
conf.yml of ours) is a cluster somebody built another way: going on would make a new CA, push certificates and a unit
over it, and could cut its clients off or start a second cluster. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.etcdtls.cluster.plugins.module_utils import running

# ETCD_* variables the collection's own units may set, and the values they may have (None: any).
OWN_ENV = ("ETCD_UNSUPPORTED_ARCH", "ETCD_CONFIG_FILE", "ETCD_DATA_DIR")
# A member's clock may be this far from the controller's (seconds). Certificates are back-dated, and a member behind
# by more than that would take a fresh certificate for one not valid yet.
MAX_CLOCK_SKEW = 300
ADOPT = (
    "Taking over an etcd this collection did not deploy is the job of playbooks/adopt.yml, which is not available "
    "yet: nothing was changed. Until then, leave the host out of the inventory's etcd group; if that etcd is a "
    "leftover you do not need (Debian's etcd-server starts a localhost member on install), stop and disable it and "
    "move its data dir away, then run again"
)


def _printable(text, limit=300):
    """``text`` with every character a terminal could act on (a newline, an escape sequence) shown as its escape, and
    cut at ``limit`` characters: a process's command line and environment are whatever its owner made them."""
    text = str(text).encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(cmdline):
    return _printable(" ".join(cmdline))


def _program(cmdline):
    """The command line as the program sees it: under qemu-user emulation (binfmt_misc, as an arm64 member in an
    x86 test rig) the kernel puts the interpreter first, and with binfmt's P flag the path beside argv[0]."""
    if cmdline and ("binfmt" in posixpath.basename(cmdline[0]) or posixpath.basename(cmdline[0]).startswith("qemu-")):
        cmdline = cmdline[1:]
        if len(cmdline) >= 2 and posixpath.basename(cmdline[0]) == posixpath.basename(cmdline[1]):
            cmdline = cmdline[1:]
    return cmdline


def _settings_of(process, cmdline, env):
    """What an etcd that is not ours is set to, in a few words for the refusal (empty when its command line or
    environment is one etcd would refuse, or the probe could not read them whole)."""
    if not cmdline or process.get("truncated") or process.get("env_error"):
        return ""
    try:
        config = running.config_file(cmdline, env)
        if config:
            return ": its settings are in %s" % _printable(config)
        described = running.describe(running.settings(cmdline, env))
    except running.RunningConfigError:
        return ""
    return ": member %s, data in %s, clients on %s, peers on %s" % tuple(
        _printable(described[key]) for key in ("name", "data_dir", "client_scheme", "peer_scheme")
    )


def foreign(probe, data_dir):
    """What on this host shows an etcd the collection did not deploy, each as a phrase (empty: none)."""
    config = probe.get("config_file")
    expected_arg = "--config-file=%s" % config
    found = []
    for process in probe.get("processes") or []:
        process = process if isinstance(process, dict) else {}
        # A probe's lists and dicts as the probe makes them; anything else (a host that answers something else) is
        # shown, never read as settings.
        cmdline = process.get("cmdline") if isinstance(process.get("cmdline"), list) else []
        env = process.get("env") or {}
        malformed = not all(isinstance(arg, str) for arg in cmdline) or not isinstance(env, dict)
        if malformed:
            cmdline, env, process = [str(arg) for arg in cmdline], {}, dict(process, truncated=True)
        cmdline = _program(cmdline)
        own_values = {"ETCD_CONFIG_FILE": config, "ETCD_DATA_DIR": data_dir}
        strange_env = sorted(
            key for key, value in env.items() if key not in OWN_ENV or own_values.get(key, value) != value
        )
        ours = (
            not malformed
            and len(cmdline) == 2
            and posixpath.basename(cmdline[0]) == "etcd"
            and cmdline[1] == expected_arg
            and probe.get("config_managed")
        )
        if not ours or strange_env:
            found.append(
                "etcd runs as pid %s with `%s`%s%s%s"
                % (
                    _printable(process.get("pid")),
                    _show(cmdline),
                    " and its own ETCD_* settings (%s)" % _printable(", ".join(strange_env)) if strange_env else "",
                    "" if ours else " (this collection's members run only `etcd %s`)" % expected_arg,
                    _settings_of(process, cmdline, env),
                )
            )
    if probe.get("listening") and not probe.get("processes"):
        found.append(
            "something listens on port %s, but no process named etcd runs: an etcd inside another program (k3s "
            "embeds one) or under another name, or another service on etcd's ports"
            % ", ".join(str(port) for port in probe["listening"])
        )
    if probe.get("config_exists") and not probe.get("config_managed"):
        found.append("%s was not written by this collection (no 'Managed by Ansible' mark)" % config)
    elif not probe.get("config_exists"):
        held = sorted(path for path, has in (probe.get("data_dirs") or {}).items() if has)
        if held:
            found.append(
                "%s holds member data, but there is no %s written by this collection" % (", ".join(held), config)
            )
    return found


def check_foreign(probes, data_dir, removing=()):
    """Every host whose probe shows an etcd the collection did not deploy, as one problem each."""
    problems = []
    for host, probe in sorted(probes.items()):
        if not probe or host in removing:
            continue
        found = foreign(probe, data_dir)
        if found:
            problems.append(
                "host %s: an etcd this collection did not deploy: %s. Changing it (a new CA, certificates, a unit) "
                "could cut its clients off or start a second cluster. %s" % (host, "; ".join(found), ADOPT)
            )
    return problems


def check_clocks(probes, now, max_skew=MAX_CLOCK_SKEW):
    """Every host whose clock is more than ``max_skew`` seconds from the controller's ``now`` (epoch seconds). The
    probe ran a few seconds before ``now``, which makes a clock behind look that much further behind."""
    problems = []
    for host, probe in sorted(probes.items()):
        if not probe or probe.get("time") is None:
            continue
        skew = float(probe["time"]) - now
        if abs(skew) > max_skew:
            problems.append(
                "host %s: its clock is %d seconds %s the controller's (at most %d are allowed): a certificate "
                "issued now would %s there. Sync the clock (chrony, systemd-timesyncd or ntpd) on %s and on the "
                "controller, then run again"
                % (
                    host,
                    abs(skew),
                    "behind" if skew < 0 else "ahead of",
                    max_skew,
                    "not be valid yet" if skew < 0 else "look older than it is",
                    host,
                )
            )
    return problems
