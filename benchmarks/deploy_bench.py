#!/usr/bin/env python3
"""Cold deploy and idempotent rerun of 3 and 7 members in local podman containers, beside a
facts-only play on the same hosts in the same sitting (the floor any run pays).

Prints wall times, the rerun's ratio to the facts-only play, and per host the tasks executed (the
recap's ok, which already counts changed, plus failures; skipped tasks are not executed) and how
many changed. Also the controller's CPU seconds of each run, per member: ansible-playbook and every
process it waited for (user+sys, what /usr/bin/time reports), plus the ssh control masters it left
behind (they carry every connection's encryption and outlive the run: each run gets fresh ones,
read from /proc and stopped after it). Unlike wall time with 7 containers on 2 cores, CPU time is
a figure this 2-core machine can compare between sizes. The rerun and the facts-only play each count
their best of SAMPLES runs (their floor, with the machine's noise taken out alike), wall time and CPU time each
their own best. Each size gets its own
containers, removed at the end. Run with `make bench` (after `make bootstrap-podman`). Numbers are
printed, never asserted.
"""

import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "molecule", "shared")
FACTS_PLAY = """
- name: Facts only
  hosts: etcd
  gather_facts: true
  gather_subset: [min, network]
  tasks: []
"""


def env(json_output, control_dir=None):
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    if control_dir:
        # Fresh ssh control masters per size: a master left from containers that were destroyed and
        # recreated at the same address would stall the next run.
        environment["ANSIBLE_SSH_CONTROL_PATH_DIR"] = control_dir
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")
    if "CONTAINERS_CONF" not in environment:
        probe = subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], capture_output=True, text=True, check=False)
        if probe.stdout.strip() != "cgroup2fs":
            environment["CONTAINERS_CONF"] = os.path.join(ROOT, "tests", "containers.conf")
    if json_output:
        environment["ANSIBLE_CALLBACK_PLUGINS"] = os.path.join(ROOT, "tests", "callback_plugins")
        environment["ANSIBLE_STDOUT_CALLBACK"] = "test_json"
    return environment


RUNS = itertools.count()
# Reruns and facts-only plays per size, of which the best counts.
SAMPLES = 3


def masters_cpu(control_dir):
    """CPU seconds (user+sys) of the ssh control masters under ``control_dir``, which are then stopped."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                if control_dir.encode() not in handle.read():
                    continue
            with open("/proc/%s/stat" % pid) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            os.kill(int(pid), signal.SIGTERM)
        except (OSError, ValueError, IndexError):
            continue
    return total


def playbook(inventory, path, json_output=False, args=()):
    control_dir = "%s-cp%d" % (inventory.rstrip("/"), next(RUNS))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, path, *args],
        cwd=ROOT,
        env=env(json_output, control_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + masters_cpu(control_dir)
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s\n%s" % (path, proc.stdout[-4000:], proc.stderr[-2000:]))
    warnings = (proc.stdout + proc.stderr).count("[WARNING]") if not json_output else proc.stderr.count("[WARNING]")
    return Run(elapsed, cpu), (json.loads(proc.stdout) if json_output else None), warnings


class Run(float):
    """A run's wall time in seconds, with the controller's CPU seconds (user+sys) beside it."""

    def __new__(cls, elapsed, cpu):
        run = float.__new__(cls, elapsed)
        run.cpu = cpu
        return run


def inventory(directory, size):
    hosts = "\n".join(
        "        etcd-bench-%d: {ansible_host: 10.89.74.%d, etcd_address: 10.89.74.%d}" % (i, 10 + i, 10 + i)
        for i in range(1, size + 1)
    )
    root = ROOT
    text = """all:
  children:
    etcd:
      hosts:
%s
      vars:
        test_image_kind: systemd
        test_network: etcdtls-bench
        test_subnet: 10.89.74.0/24
        ansible_user: root
        ansible_ssh_private_key_file: %s/.cache/ssh/id_ed25519
        ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
        etcd_version: "3.5.1"
        etcd_archive_base_url: file://%s/.cache/mirror
        etcd_archive_cache_dir: %s/.cache/archives
        etcd_limit_nofile: 1024
""" % (hosts, root, root, root)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "hosts.yml"), "w") as handle:
        handle.write(text)
    return directory


def executed(data):
    return dict(
        (host, (st["ok"] + st["failures"], st["changed"]))
        for host, st in sorted(data["stats"].items())
        if host != "localhost"
    )


def measure(size, workdir):
    inv = inventory(os.path.join(workdir, "inventory-%d" % size), size)
    facts_play = os.path.join(workdir, "facts.yml")
    with open(facts_play, "w") as handle:
        handle.write(FACTS_PLAY)
    playbook(inv, os.path.join(SHARED, "destroy.yml"))
    playbook(inv, os.path.join(SHARED, "create.yml"))
    try:
        facts = [playbook(inv, facts_play)[0]]
        cold, cold_data, _warn = playbook(inv, os.path.join(ROOT, "site.yml"), json_output=True)
        reruns = [playbook(inv, os.path.join(ROOT, "site.yml"), json_output=True) for _run in range(SAMPLES)]
        facts += [playbook(inv, facts_play)[0] for _run in range(SAMPLES - 1)]
    finally:
        playbook(inv, os.path.join(SHARED, "destroy.yml"))
    # The best of SAMPLES for the rerun and the facts-only play alike: the floor of each on this machine, with the
    # other processes' noise taken out the same way from both.
    rerun = min(run for run, _data, _warn in reruns)
    return {
        "size": size,
        "facts": min(facts),
        "facts_cpu": min(run.cpu for run in facts),
        "cold": cold,
        "rerun": rerun,
        "rerun_cpu": min(run.cpu for run, _data, _warn in reruns),
        "rerun_changed": sum(c for _run, data, _warn in reruns for _t, c in executed(data).values()),
        "rerun_warnings": max(warn for _run, _data, warn in reruns),
        "cold_tasks": executed(cold_data),
        "rerun_tasks": executed(reruns[0][1]),
        "rerun_skipped": sorted(set(st["skipped"] for h, st in reruns[0][1]["stats"].items() if h != "localhost")),
    }


def main():
    sizes = [int(arg) for arg in sys.argv[1:]] or [3, 7]
    with tempfile.TemporaryDirectory(prefix="etcdtls-bench-") as workdir:
        results = [measure(size, workdir) for size in sizes]
    print(
        "%-7s %8s %8s %8s %13s %9s %9s %16s %17s"
        % (
            "members",
            "facts",
            "cold",
            "rerun",
            "rerun/facts",
            "changed",
            "warnings",
            "cold cpu/member",
            "rerun cpu/member",
        )
    )
    for r in results:
        print(
            "%-7d %7.1fs %7.1fs %7.1fs %12.2fx %9d %9d %15.2fs %16.2fs"
            % (
                r["size"],
                r["facts"],
                r["cold"],
                r["rerun"],
                r["rerun"] / r["facts"],
                r["rerun_changed"],
                r["rerun_warnings"],
                r["cold"].cpu / r["size"],
                r["rerun_cpu"] / r["size"],
            )
        )
    for r in results:
        tasks = sorted(set(t for t, _c in r["rerun_tasks"].values()))
        print(
            "%d members, rerun tasks executed per host: %s (skipped: %s)"
            % (r["size"], ", ".join(str(t) for t in tasks), ", ".join(str(t) for t in r["rerun_skipped"]))
        )
    if len(results) == 2:
        small, large = results
        print(
            "%d vs %d members: cold %.2fx, rerun %.2fx (the facts-only play, this machine's floor: %.2fx)"
            % (
                large["size"],
                small["size"],
                large["cold"] / small["cold"],
                large["rerun"] / small["rerun"],
                large["facts"] / small["facts"],
            )
        )
        print(
            "controller CPU per member, %d vs %d members: cold %.2fx, rerun %.2fx (facts-only play: %.2fx)"
            % (
                large["size"],
                small["size"],
                (large["cold"].cpu / large["size"]) / (small["cold"].cpu / small["size"]),
                (large["rerun_cpu"] / large["size"]) / (small["rerun_cpu"] / small["size"]),
                (large["facts_cpu"] / large["size"]) / (small["facts_cpu"] / small["size"]),
            )
        )


if __name__ == "__main__":
    main()
