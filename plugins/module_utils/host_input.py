# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inventory says of each host's paths, accounts and schedules, checked before anything is written.

Each value reaches a file, a unit (systemd), an OpenRC script (a shell), a backup script or etcdctl. The tasks
quote them at every boundary too, but a value is first held to a strict whole-string pattern of ASCII characters, so
that nothing a shell, systemd or a YAML reader treats specially (space, ``$``, ``;``, a quote, ``%``, a newline) can
be in it at all. Standard library only: the preflight runs it anywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.etcdtls.cluster.plugins.module_utils import extra_config
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

# An absolute path of ASCII letters, digits and . _ + @ - only: no space, quote, $, ;, %, newline or glob.
_PATH = re.compile(r"(/[A-Za-z0-9._+@-]+)+/?")
PATH_MAX = 255
# A user or group name as useradd takes it (and a portable one: no dot, no leading digit or dash).
_ACCOUNT = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
# systemd OnCalendar: weekdays, dates, times, ranges, lists and repetitions; a space separates date and time.
_CALENDAR = re.compile(r"[A-Za-z0-9*:/.,~+-]+( [A-Za-z0-9*:/.,~+-]+){0,3}")
OPENRC_PERIODS = ("15min", "hourly", "daily", "weekly", "monthly")
OPENRC_NET = ("need", "use")

# Directories that belong to the system: the role makes its directories its own (owner, mode), so none of them may
# be one of these.
SYSTEM_DIRS = frozenset(
    "/" + name
    for name in (
        "",
        "bin",
        "boot",
        "dev",
        "etc",
        "home",
        "lib",
        "lib64",
        "opt",
        "proc",
        "root",
        "run",
        "sbin",
        "srv",
        "sys",
        "tmp",
        "usr",
        "usr/bin",
        "usr/lib",
        "usr/local",
        "usr/local/bin",
        "usr/local/sbin",
        "usr/sbin",
        "usr/share",
        "var",
        "var/backups",
        "var/lib",
        "var/log",
        "var/run",
        "var/tmp",
    )
)

# Trees that belong to the system or to people: a directory the role makes its own may not be in one (it would
# chown /root/.ssh or /home/alice to the etcd user).
SYSTEM_TREES = (
    "/bin",
    "/boot",
    "/dev",
    # What root runs or reads as its own configuration, whatever the name below: a directory the etcd user owns
    # there (/etc/systemd/system/etcd.service.d) would let it add what root then runs.
    "/etc/apt",
    "/etc/conf.d",
    "/etc/cron.d",
    "/etc/cron.daily",
    "/etc/cron.hourly",
    "/etc/cron.monthly",
    "/etc/cron.weekly",
    "/etc/init.d",
    "/etc/ld.so.conf.d",
    "/etc/modprobe.d",
    "/etc/pam.d",
    "/etc/periodic",
    "/etc/profile.d",
    "/etc/runlevels",
    "/etc/security",
    "/etc/ssh",
    "/etc/sudoers.d",
    "/etc/sysctl.d",
    "/etc/systemd",
    "/etc/udev",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/sys",
    "/usr/bin",
    "/usr/include",
    "/usr/lib",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/local/sbin",
    "/usr/sbin",
    "/usr/share",
    "/var/cache",
    "/var/log",
    "/var/mail",
    "/var/spool",
)
# Trees shared by every program: a directory the role makes its own there must be etcd's, a component below the
# tree naming etcd (/etc/etcd, /etc/kubernetes/pki/etcd, /var/lib/etcd-prod), never /etc/ssh or /var/lib/docker.
SHARED_TREES = ("/etc", "/var/lib")
# Accounts that are someone else's, or that hold root's power: the etcd user and group may not be one of them.
PRIVILEGED_ACCOUNTS = frozenset(
    [
        "root",
        "daemon",
        "bin",
        "sys",
        "adm",
        "disk",
        "kmem",
        "tty",
        "shadow",
        "sudo",
        "wheel",
        "docker",
        "lxd",
        "staff",
        "systemd-journal",
        "nobody",
        "nogroup",
        "users",
        "kvm",
        "libvirt",
        "incus-admin",
        "www-data",
    ]
)

# The per-host variables a path check applies to: (variable, may be empty, may be a system directory).
PATH_VARIABLES = (
    ("etcd_data_dir", False, False),
    ("etcd_config_dir", False, False),
    ("etcd_pki_host_dir", False, False),
    ("etcd_backup_host_dir", False, False),
    ("etcd_bin_dir", False, True),
    ("etcd_package_bin_dir", False, True),
    ("etcd_profile_file", True, False),
)
ACCOUNT_VARIABLES = ("etcd_system_user", "etcd_system_group")
# The directories the role makes its own (etcd's data, root's config, keys and snapshots).
OWNED_DIRS = ("etcd_data_dir", "etcd_config_dir", "etcd_pki_host_dir", "etcd_backup_host_dir")


def check_path(value, variable, where, may_be_system=True, owned=False):
    """``value`` is an absolute, normal path of safe ASCII characters; returned without a trailing slash. ``owned``:
    a directory the role makes etcd's or root's alone (owner and mode), kept out of the system's trees."""
    if not isinstance(value, str) or not _PATH.fullmatch(value) or len(value) > PATH_MAX:
        raise EtcdTLSError(
            "%s: %s %r is not usable: give an absolute path of ASCII letters, digits and . _ + @ - (no space, quote, "
            "$, ;, %%, newline or other character a shell or a unit would read), %d characters at most"
            % (where, variable, value, PATH_MAX)
        )
    parts = value.strip("/").split("/")
    if any(part in (".", "..") for part in parts) or "//" in value:
        raise EtcdTLSError(
            "%s: %s %r has a '.', '..' or empty component: give the path as it is, without them"
            % (where, variable, value)
        )
    path = posixpath.normpath(value)
    if not may_be_system and path in SYSTEM_DIRS:
        raise EtcdTLSError(
            "%s: %s %s is a system directory, and the role makes the directory its own (owner and mode): give a "
            "directory of etcd's, such as %s/etcd" % (where, variable, path, path.rstrip("/"))
        )
    if owned:
        tree = next((tree for tree in SYSTEM_TREES if _inside(path, tree)), None)
        if tree:
            raise EtcdTLSError(
                "%s: %s %s is inside %s, which belongs to the system or to its users, and the role makes the "
                "directory its own (owner and mode): give a directory of etcd's, such as /var/lib/etcd"
                % (where, variable, path, tree)
            )
        shared = next((tree for tree in SHARED_TREES if _inside(path, tree)), None)
        if shared and "etcd" not in path[len(shared) :].lower():
            raise EtcdTLSError(
                "%s: %s %s is in %s, shared by every program, without a component of its path naming etcd, and the "
                "role makes the directory its own (owner and mode): give a directory of etcd's, such as %s/etcd"
                % (where, variable, path, shared, shared)
            )
    return path


def check_account(value, variable, where, etcds=False):
    """A user or group name; ``etcds``: the account etcd runs as, which may not be the system's or a privileged one."""
    if not isinstance(value, str) or not _ACCOUNT.fullmatch(value):
        raise EtcdTLSError(
            "%s: %s %r is not usable as a user or group name: use 1-32 lowercase ASCII letters, digits, '_' or '-', "
            "starting with a letter or '_'" % (where, variable, value)
        )
    if etcds and value in PRIVILEGED_ACCOUNTS:
        raise EtcdTLSError(
            "%s: %s %r is an account of the system's or one with root's power, and etcd runs as it and owns its "
            "data and keys: give etcd an account of its own, such as etcd" % (where, variable, value)
        )


def check_schedule(value, manager, where):
    """etcd_backup_schedule: empty, an OpenRC period, or (systemd) an OnCalendar expression of safe characters."""
    if value in ("", None):
        return
    if manager == "openrc":
        if value not in OPENRC_PERIODS:
            raise EtcdTLSError(
                "%s: under OpenRC, etcd_backup_schedule is one of %s (the /etc/periodic/<period> directories of "
                "crond), not %r" % (where, ", ".join(OPENRC_PERIODS), value)
            )
        return
    if not isinstance(value, str) or len(value) > 64 or not _CALENDAR.fullmatch(value):
        raise EtcdTLSError(
            "%s: etcd_backup_schedule %r is not a systemd OnCalendar expression this role writes: use letters, "
            "digits, * : / . , ~ + - and single spaces, 64 characters at most (daily, hourly, *-*-* 03:00:00, "
            "Mon..Fri 02:30)" % (where, value)
        )


def _inside(path, directory):
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def check_host_values(host, values, manager):
    """Every problem with one host's ``values`` (variable -> value), as sentences naming the host and the variable."""
    where = "host %s" % host
    problems, paths = [], {}
    for variable, may_be_empty, may_be_system in PATH_VARIABLES:
        if variable not in values or (may_be_empty and values[variable] in ("", None)):
            continue
        try:
            paths[variable] = check_path(values[variable], variable, where, may_be_system, variable in OWNED_DIRS)
        except EtcdTLSError as exc:
            problems.append(exc.msg)
    for variable in ACCOUNT_VARIABLES:
        if variable in values:
            try:
                check_account(values[variable], variable, where, etcds=True)
            except EtcdTLSError as exc:
                problems.append(exc.msg)
    if "etcd_backup_schedule" in values:
        try:
            check_schedule(values["etcd_backup_schedule"], manager, where)
        except EtcdTLSError as exc:
            problems.append(exc.msg)
    if "etcd_openrc_net" in values and values["etcd_openrc_net"] not in OPENRC_NET:
        problems.append("%s: etcd_openrc_net %r is neither need nor use" % (where, values["etcd_openrc_net"]))
    data = paths.get("etcd_data_dir")
    if data:
        # The etcd user owns its data dir: nothing root trusts (keys, conf.yml, snapshots) may live inside it.
        for variable in ("etcd_config_dir", "etcd_pki_host_dir", "etcd_backup_host_dir"):
            other = paths.get(variable)
            if other and (_inside(other, data) or _inside(data, other)):
                problems.append(
                    "%s: etcd_data_dir %s and %s %s overlap. The etcd user owns its data dir, so it could replace "
                    "what root keeps in the other: give them separate directories" % (where, data, variable, other)
                )
    return problems


def check_bundle(client_name, bundle):
    """A named client's bundle destination on its host (etcd_clients[].bundle)."""
    problems = []
    where = "client %s: bundle" % client_name
    try:
        check_path(bundle.get("path"), "path", where, may_be_system=False)
    except EtcdTLSError as exc:
        problems.append(exc.msg)
    for key in ("owner", "group"):
        if bundle.get(key) not in (None, ""):
            try:
                check_account(bundle[key], key, where)
            except EtcdTLSError as exc:
                problems.append(exc.msg)
    return problems


# Settings every member reads from its own host variables (its conf.yml, unit, OpenRC script), by option and
# variable. A host may not set its own value of these: the cluster has one, judged here once.
UNIFORM_SETTINGS = (
    ("cluster_name", "etcd_cluster_name", "str"),
    ("service_name", "etcd_service_name", "str"),
    ("version", "etcd_version", "str"),
    ("install_method", "etcd_install_method", "str"),
    ("client_port", "etcd_client_port", "int"),
    ("peer_port", "etcd_peer_port", "int"),
    ("heartbeat_interval", "etcd_heartbeat_interval", "int"),
    ("election_timeout", "etcd_election_timeout", "int"),
    ("tls_min_version", "etcd_tls_min_version", "str"),
    ("tls_cipher_suites", "etcd_tls_cipher_suites", "list"),
    ("auth_enabled", "etcd_auth_enabled", "bool"),
)
# What a host may set for itself (tuning, a log level), each host's own values judged as the group's are.
HOST_SETTINGS = (
    ("extra_config", "etcd_extra_config", "dict"),
    ("allow_insecure_config", "etcd_allow_insecure_config", "bool"),
    ("metrics_urls", "etcd_listen_metrics_urls", "list"),
    ("log_level", "etcd_log_level", "str"),
)
# The host variables the role hands the preflight (vars/main.yml: __etcd_host_checked, and a test holds it to this).
HOST_SETTING_VARIABLES = tuple(variable for _option, variable, _kind in UNIFORM_SETTINGS + HOST_SETTINGS)
_TRUE, _FALSE = ("true", "yes", "on", "1", "y", "t"), ("false", "no", "off", "0", "n", "f")


def _typed(kind, value):
    """A host variable's raw value as the preflight's option of that ``kind`` reads it; ValueError when it cannot
    be."""
    if kind == "int":
        if isinstance(value, bool) or not re.fullmatch(r"-?[0-9]+", str(value).strip()):
            raise ValueError("not a whole number")
        return int(str(value).strip())
    if kind == "bool":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE + _FALSE:
            return value if isinstance(value, bool) else text in _TRUE
        raise ValueError("not true or false")
    if kind == "list":
        items = value if isinstance(value, list) else [part for part in str(value).split(",") if part.strip()]
        return [str(item).strip() if isinstance(item, str) else str(item) for item in items]
    if kind == "dict":
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("not a mapping")
        return value
    return "" if value is None else str(value)


def check_host_settings(settings, host, values):
    """One host's own ``values`` (variable -> value) of the cluster ``settings`` (the preflight's options, as
    judged): each uniform one must be the group's; the ones a host may set are judged with its values as the
    group's are. Problems as sentences naming the host and the variable."""
    problems, own = [], {}
    for option, variable, kind in UNIFORM_SETTINGS + HOST_SETTINGS:
        if variable not in values:
            continue
        try:
            own[option] = _typed(kind, values[variable])
        except ValueError as exc:
            problems.append("host %s: %s %r is %s" % (host, variable, values[variable], exc))
    for option, variable, _kind in UNIFORM_SETTINGS:
        if option in own and own[option] != settings[option]:
            problems.append(
                "host %s: %s is %r there, and %r for the group: every member reads it (its conf.yml, unit and "
                "certificates), so the cluster has one value; set it for the whole group (group_vars), not per host"
                % (host, variable, own[option], settings[option])
            )
    mine = dict((option, own.get(option, settings[option])) for option, _variable, _kind in HOST_SETTINGS)
    if any(mine[option] != settings[option] for option in mine):
        try:
            extra_config.check_extra_config(
                mine["extra_config"],
                mine["allow_insecure_config"],
                mine["metrics_urls"],
                mine["log_level"],
                settings.get("version"),
                settings.get("install_method", "archive"),
            )
        except EtcdTLSError as exc:
            problems.append("host %s: %s" % (host, exc.msg))
    return problems
