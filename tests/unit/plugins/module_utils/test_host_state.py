# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An etcd this collection did not deploy, and a clock far from the controller's, stop a run before any change."""

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import host_state, probe

CONF = "/etc/etcd/conf.yml"
DATA = "/var/lib/etcd"
OURS = {"pid": 42, "cmdline": ["/usr/local/bin/etcd", "--config-file=" + CONF], "env": {}}


def seen(**changes):
    item = {
        "config_file": CONF,
        "config_exists": True,
        "config_managed": True,
        "data_dirs": {DATA: True},
        "processes": [dict(OURS)],
        "time": 1000.0,
    }
    item.update(changes)
    return item


@pytest.mark.parametrize(
    "item",
    [
        seen(),
        seen(processes=[]),
        # Its own etcd listens on its ports.
        seen(listening=[2379, 2380]),
        seen(processes=[dict(OURS, env={"ETCD_UNSUPPORTED_ARCH": "arm64"})]),
        # OpenRC may hand the daemon its conf.d values: the collection's own, with the collection's values.
        seen(processes=[dict(OURS, env={"ETCD_CONFIG_FILE": CONF, "ETCD_DATA_DIR": DATA})]),
        seen(config_exists=False, config_managed=False, data_dirs={DATA: False}, processes=[]),
        # An arm64 member under qemu-user (binfmt_misc with the P flag, as the raspberrypi scenario runs it).
        seen(
            processes=[
                dict(
                    OURS, cmdline=["/usr/libexec/qemu-binfmt/aarch64-binfmt-P", *OURS["cmdline"][:1], *OURS["cmdline"]]
                )
            ]
        ),
        seen(processes=[dict(OURS, cmdline=["/usr/bin/qemu-aarch64-static", *OURS["cmdline"]])]),
    ],
)
def test_what_the_collection_deployed_passes(item):
    assert host_state.foreign(item, DATA) == []


@pytest.mark.parametrize(
    "item, words",
    [
        (
            seen(
                config_exists=False,
                config_managed=False,
                processes=[dict(OURS, cmdline=["/usr/bin/etcd", "--name", "m1", "--data-dir", DATA])],
            ),
            "etcd runs as pid 42 with `/usr/bin/etcd --name m1 --data-dir /var/lib/etcd`",
        ),
        (seen(processes=[dict(OURS, env={"ETCD_NAME": "m1"})]), "its own ETCD_* settings (ETCD_NAME)"),
        # What it runs with, read as etcd reads it: the kube-apiserver seed's half-way cluster.
        (
            seen(
                processes=[
                    dict(
                        OURS,
                        cmdline=["/usr/bin/etcd", "--listen-peer-urls=http://10.0.0.1:2380"],
                        env={"ETCD_NAME": "node1", "ETCD_LISTEN_CLIENT_URLS": "https://10.0.0.1:2379"},
                    )
                ]
            ),
            ": member node1, data in node1.etcd, clients on https, peers on http",
        ),
        (
            seen(processes=[dict(OURS, cmdline=["/usr/bin/etcd", "--config-file", "/srv/etcd.yml"])]),
            "`etcd --config-file=/etc/etcd/conf.yml`): its settings are in /srv/etcd.yml",
        ),
        (seen(processes=[dict(OURS, env={"ETCD_DATA_DIR": "/srv/other"})]), "its own ETCD_* settings (ETCD_DATA_DIR)"),
        (
            seen(processes=[dict(OURS, cmdline=["/usr/bin/etcd", "--config-file=/etc/etcd/etcd.conf.yml"])]),
            "this collection's members run only `etcd --config-file=/etc/etcd/conf.yml`",
        ),
        (seen(config_managed=False), "/etc/etcd/conf.yml was not written by this collection"),
        # k3s's embedded etcd, or an etcd binary called etcd-3.5: its ports are taken, and no process is named etcd.
        (seen(processes=[], listening=[2379, 2380]), "something listens on port 2379, 2380, but no process named etcd"),
        (
            seen(config_exists=False, config_managed=False, processes=[]),
            "/var/lib/etcd holds member data, but there is no /etc/etcd/conf.yml written by this collection",
        ),
    ],
)
def test_an_etcd_deployed_another_way_is_named(item, words):
    found = host_state.foreign(item, DATA)
    assert any(words in phrase for phrase in found), found


HALF_WAY = dict(
    OURS,
    cmdline=["/usr/bin/etcd", "--listen-peer-urls=http://10.0.0.1:2380"],
    env={"ETCD_NAME": "node1", "ETCD_LISTEN_CLIENT_URLS": "https://10.0.0.1:2379"},
)


@pytest.mark.parametrize(
    "process",
    [
        # What the probe could not read whole is not read as etcd's settings: a cut-off value or a missing one would
        # describe a member that is not there.
        dict(HALF_WAY, truncated=True),
        dict(HALF_WAY, env={}, env_error="Permission denied"),
    ],
)
def test_settings_read_in_part_are_not_described(process):
    found = host_state.foreign(seen(processes=[process]), DATA)
    assert len(found) == 1 and "etcd runs as pid 42" in found[0] and ": member" not in found[0], found


def test_what_the_process_shows_is_printed_escaped():
    # A process's command line and environment are its owner's: a newline or a terminal escape is shown, not acted on.
    process = dict(
        HALF_WAY,
        cmdline=["/usr/bin/etcd", "--name=a\nhost m2: fine\x1b[2J"],
        env={"ETCD_DATA_DIR": "/d\x1b]0;t\x07", "ETCD_X\n": "1"},
    )
    found = host_state.foreign(seen(processes=[process]), DATA)
    assert len(found) == 1 and "\n" not in found[0] and "\x1b" not in found[0] and "\x07" not in found[0], found
    assert "--name=a\\nhost m2: fine\\x1b[2J" in found[0] and "data in /d\\x1b]0;t\\x07" in found[0]


@pytest.mark.parametrize(
    "process",
    [
        dict(OURS, cmdline=["/usr/bin/etcd", 5]),
        dict(OURS, env=["ETCD_NAME=x"]),
        "not a process",
    ],
)
def test_a_probe_that_is_not_what_the_probe_makes_is_shown_not_read(process):
    found = host_state.foreign(seen(processes=[process]), DATA)
    assert len(found) == 1 and ": member" not in found[0], found


def test_what_is_printed_of_a_process_is_cut_short():
    process = dict(OURS, pid="4\x1b[2J", cmdline=["/usr/bin/etcd", "--name=" + "\x1b" * 5000])
    found = host_state.foreign(seen(processes=[process]), DATA)
    assert len(found) == 1 and "\x1b" not in found[0] and len(found[0]) < 1200, found


def test_the_refusal_names_the_host_and_adopt_yml_and_skips_hosts_being_removed():
    probes = {"m1": seen(config_managed=False), "m2": seen(), "m3": seen(config_managed=False), "m4": None}
    problems = host_state.check_foreign(probes, DATA, removing=["m3"])
    assert len(problems) == 1 and problems[0].startswith("host m1: an etcd this collection did not deploy")
    assert "playbooks/adopt.yml" in problems[0] and "nothing was changed" in problems[0]


@pytest.mark.parametrize(
    "host_time, words",
    [(1000.0 - 301, "301 seconds behind the controller's"), (1000.0 + 400, "400 seconds ahead of the controller's")],
)
def test_a_clock_far_from_the_controllers_is_refused(host_time, words):
    problems = host_state.check_clocks({"m1": seen(time=host_time), "m2": seen(time=1000.0)}, 1000.0)
    assert len(problems) == 1 and problems[0].startswith("host m1: its clock is " + words)
    assert "Sync the clock" in problems[0]


def test_a_clock_within_the_bound_passes():
    assert host_state.check_clocks({"m1": seen(time=1299.0), "m2": seen(time=701.0), "m3": None}, 1000.0) == []


def test_the_probe_reads_each_etcd_process(tmp_path):
    """A /proc of three processes: ours, a hand-started one with ETCD_* variables, and another program."""

    def process(pid, comm, cmdline, environ=None):
        directory = tmp_path / str(pid)
        directory.mkdir()
        (directory / "comm").write_text(comm + "\n")
        (directory / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in cmdline) + b"\0")
        if environ is not None:
            (directory / "environ").write_bytes(b"\0".join(item.encode() for item in environ) + b"\0")

    process(7, "etcd", ["/usr/local/bin/etcd", "--config-file=" + CONF], ["PATH=/bin"])
    process(12, "etcd", ["/usr/bin/etcd", "--name", "m1"], ["ETCD_NAME=m1", "ETCDCTL_API=3", "HOME=/"])
    process(30, "sshd", ["sshd"], [])
    (tmp_path / "self").mkdir()
    found = probe.etcd_processes("etcd", str(tmp_path))
    assert found == [
        {"pid": 7, "cmdline": ["/usr/local/bin/etcd", "--config-file=" + CONF], "env": {}},
        {"pid": 12, "cmdline": ["/usr/bin/etcd", "--name", "m1"], "env": {"ETCD_NAME": "m1"}},
    ]
    (tmp_path / "12" / "environ").unlink()
    assert "env_error" in probe.etcd_processes("etcd", str(tmp_path))[1]
    # What is cut short says so: too many arguments, a long one, or a long ETCD_* value.
    process(40, "etcd", ["etcd"] + ["--debug"] * 40)
    process(41, "etcd", ["etcd", "--name=" + "n" * 300])
    process(42, "etcd", ["etcd"], ["ETCD_NAME=" + "n" * 300])
    process(43, "etcd", ["etcd"] + ["--debug"] * 39, ["ETCD_NAME=" + "n" * 200])
    process(44, "etcd", ["etcd"], ["ETCD_N%d=1" % n for n in range(41)])
    process(45, "etcd", ["etcd"], ["ETCD_" + "N" * 300 + "=1"])
    cut = dict((item["pid"], item.get("truncated")) for item in probe.etcd_processes("etcd", str(tmp_path)))
    assert cut == {7: None, 12: None, 40: True, 41: True, 42: True, 43: None, 44: True, 45: True}
    # An empty argument is a value (the flag after it is not); a variable named twice has its first value, as the
    # process's own getenv gives it.
    process(46, "etcd", ["etcd", "--trusted-ca-file", "", "--auto-tls"], ["ETCD_NAME=first", "ETCD_NAME=second"])
    item = next(found for found in probe.etcd_processes("etcd", str(tmp_path)) if found["pid"] == 46)
    assert item["cmdline"] == ["etcd", "--trusted-ca-file", "", "--auto-tls"] and item["env"] == {"ETCD_NAME": "first"}


def test_the_probe_knows_a_conf_yml_of_its_own(tmp_path):
    conf = tmp_path / "conf.yml"
    conf.write_text("# Managed by Ansible (etcdtls.cluster.etcd): local changes are overwritten\ndata-dir: /d\n")
    assert probe.read_config(str(conf))["managed"] is True
    conf.write_text("name: m1\ndata-dir: /d\n")
    assert probe.read_config(str(conf))["managed"] is False
