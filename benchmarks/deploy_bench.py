#!/usr/bin/env python3
"""Cold deploy and idempotent rerun of 3 members in local podman containers (the demo inventory).

Prints wall times and, per host, the tasks executed (ok + changed + failed in the recap; skipped
tasks are not executed) and how many changed. It replaces the demo cluster and removes it at the end.
Run with `make bench` (after `make bootstrap-podman`). Numbers are printed, never asserted.
"""

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORY = os.path.join(ROOT, "inventories", "demo")


def env():
    environment = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"))
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")
    if "CONTAINERS_CONF" not in environment:
        probe = subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], capture_output=True, text=True, check=False)
        if probe.stdout.strip() != "cgroup2fs":
            environment["CONTAINERS_CONF"] = os.path.join(ROOT, "tests", "containers.conf")
    return environment


def playbook(path, json_output=False):
    environment = env()
    if json_output:
        environment["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.json"
    start = time.perf_counter()
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", INVENTORY, path],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s\n%s" % (path, proc.stdout[-4000:], proc.stderr[-2000:]))
    return elapsed, json.loads(proc.stdout) if json_output else None


def main():
    shared = os.path.join(ROOT, "molecule", "shared")
    playbook(os.path.join(shared, "destroy.yml"))
    playbook(os.path.join(shared, "create.yml"))
    try:
        cold, cold_data = playbook(os.path.join(ROOT, "site.yml"), json_output=True)
        rerun, rerun_data = playbook(os.path.join(ROOT, "site.yml"), json_output=True)
    finally:
        playbook(os.path.join(shared, "destroy.yml"))
    print("%-14s %8s  %s" % ("run", "seconds", "per host: executed tasks (changed)"))
    for name, seconds, data in (("cold deploy", cold, cold_data), ("idempotent", rerun, rerun_data)):
        stats = data["stats"]
        cells = ", ".join(
            "%s %d (%d)" % (host, st["ok"] + st["changed"] + st["failures"], st["changed"])
            for host, st in sorted(stats.items())
        )
        print("%-14s %8.1f  %s" % (name, seconds, cells))


if __name__ == "__main__":
    main()
