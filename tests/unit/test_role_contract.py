# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's contract, read off its files: its entry points are the task files at the top of tasks/ (the
internals live under tasks/steps/), each one in meta/argument_specs.yml, and playbooks choose behaviour by
documented variables only, never by the role's private __etcd_* ones."""

import glob
import os
import re

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROLE = os.path.join(ROOT, "roles", "etcd")
PLAYBOOKS = [*glob.glob(os.path.join(ROOT, "playbooks", "*.yml")), os.path.join(ROOT, "site.yml")]


def _specs():
    with open(os.path.join(ROLE, "meta", "argument_specs.yml")) as handle:
        return yaml.safe_load(handle)["argument_specs"]


def test_the_entry_points_are_the_task_files_at_the_top_and_each_has_a_spec():
    top = sorted(os.path.basename(path)[: -len(".yml")] for path in glob.glob(os.path.join(ROLE, "tasks", "*.yml")))
    assert top == sorted(_specs())
    assert os.path.isdir(os.path.join(ROLE, "tasks", "steps"))


def test_no_entry_point_is_reached_through_steps_by_a_playbook():
    """tasks_from names an entry point, never a step."""
    entry_points = set(_specs())
    for path in PLAYBOOKS:
        with open(path) as handle:
            named = re.findall(r"tasks_from:\s*(\S+)", handle.read())
        assert set(named) <= entry_points, (path, named)


def test_playbooks_set_no_private_variable():
    for path in PLAYBOOKS:
        with open(path) as handle:
            found = re.findall(r"\b__etcd_\w+", handle.read())
        assert not found, "%s sets or reads the role's private %s" % (path, ", ".join(sorted(set(found))))


def _tasks(path):
    """Every task of a task file, blocks opened."""
    with open(path) as handle:
        pending = list(yaml.safe_load(handle) or [])
    while pending:
        task = pending.pop(0)
        for key in ("block", "rescue", "always"):
            pending.extend(task.get(key, []))
        yield task


SERVICE_MODULES = (
    "ansible.builtin.systemd_service",
    "ansible.builtin.systemd",
    "ansible.builtin.service",
    "systemd_service",
    "systemd",
    "service",
    "community.general.openrc",
)


def test_etcd_is_started_and_restarted_in_one_step_only():
    found = []
    for path in glob.glob(os.path.join(ROLE, "tasks", "**", "*.yml"), recursive=True):
        for task in _tasks(path):
            for module in SERVICE_MODULES:
                args = task.get(module) or {}
                named = str(args.get("name", ""))
                starts = args.get("state") in ("started", "restarted") or "etcd_service_step" in str(args)
                if "backup" not in named and starts:
                    found.append(os.path.relpath(path, ROLE))
    assert sorted(set(found)) == ["tasks/steps/service.yml"], found


CHANGING_ENTRY_POINTS = ("main", "add_member", "remove_member", "restore", "rotate_ca", "rotate_certs", "upgrade")
# What changes no member: read-only reports, the controller's PKI or snapshots, client bundles, a given restart.
OTHER_ENTRY_POINTS = ("verify", "check_certs", "pki", "clients", "backup", "rolling_restart")


def test_every_entry_point_is_classified():
    assert sorted(CHANGING_ENTRY_POINTS + OTHER_ENTRY_POINTS) == sorted(_specs())


def test_every_entry_point_that_changes_the_cluster_ends_with_the_report():
    for name in CHANGING_ENTRY_POINTS:
        with open(os.path.join(ROLE, "tasks", name + ".yml")) as handle:
            last = yaml.safe_load(handle)[-1]
        assert last.get("ansible.builtin.import_tasks") == "steps/report.yml", name
    for path in PLAYBOOKS:
        with open(path) as handle:
            assert "etcd_health_table" not in handle.read(), "%s repeats the report step" % path


def _options(spec, where):
    """Every option of a spec, sub-options included, by its dotted name."""
    for name, option in (spec or {}).items():
        yield where + name, option
        yield from _options(option.get("options"), where + name + ".")


def _defaults():
    with open(os.path.join(ROLE, "defaults", "main.yml")) as handle:
        return yaml.safe_load(handle)


def test_every_option_of_every_entry_point_is_described():
    for entry_point, spec in _specs().items():
        missing = [name for name, option in _options(spec.get("options"), "") if not option.get("description")]
        assert not missing, "%s: %s" % (entry_point, missing)


def test_the_defaults_are_the_main_entry_points_options_and_agree_with_them():
    options, defaults = _specs()["main"]["options"], _defaults()
    assert sorted(defaults) == sorted(options)
    for name, value in defaults.items():
        if "default" in options[name]:
            assert options[name]["default"] == value, name
        else:
            assert isinstance(value, str) and "{{" in value, "%s: a literal default belongs in the spec too" % name


def test_the_readme_names_only_options_the_role_has():
    with open(os.path.join(ROOT, "README.md")) as handle:
        table = handle.read().split("| variable | default | what it does |\n", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if re.match(r"\| `etcd_\w+`", line)]
    named = set(re.findall(r"`(etcd_\w+)`", "".join(row.split("|")[1] for row in rows)))
    options, defaults = _specs()["main"]["options"], _defaults()
    assert len(named) >= 10 and named <= set(options), sorted(named - set(options))
    for row in rows:
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        names = re.findall(r"`(etcd_\w+)`", cells[0])
        shown = [value.strip().strip("`") for value in cells[1].split(" / ")]
        for name, value in zip(names, shown):
            if isinstance(defaults[name], (bool, int, list, dict)) or not defaults[name]:
                assert value == yaml.safe_dump(defaults[name], default_flow_style=True).strip().removesuffix(
                    "\n..."
                ).replace("''", '""'), (name, value)


def test_only_the_describe_step_works_out_where_etcd_is():
    """Every other task and template reads etcd_install.bin_dir."""
    found = []
    for path in glob.glob(os.path.join(ROLE, "t*", "**", "*"), recursive=True):
        if os.path.isfile(path) and os.path.relpath(path, ROLE) != "tasks/steps/describe.yml":
            with open(path) as handle:
                if re.search(r"\betcd_(package_)?bin_dir\b", handle.read()):
                    found.append(os.path.relpath(path, ROLE))
    assert not found, found


def test_the_members_are_worked_out_once():
    """The preflight works the member list out once per play; the rest reads it (vars/main.yml's fallback serves the
    entry points that run without the preflight)."""
    found = []
    for path in glob.glob(os.path.join(ROLE, "**", "*.yml"), recursive=True):
        with open(path) as handle:
            count = handle.read().count("etcdtls.cluster.etcd_members(")
        if count:
            found.append((os.path.relpath(path, ROLE), count))
    assert sorted(found) == [("tasks/steps/preflight.yml", 1), ("vars/main.yml", 1)], found


def test_no_task_or_variable_file_holds_a_jinja_program():
    """Loops that build lists, dicts or text ({% set %}, {% for %}) live in Python (a filter, a module's result); the
    YAML only orchestrates. Templates of files (templates/) may loop."""
    found = []
    for path in glob.glob(os.path.join(ROLE, "*", "**", "*.yml"), recursive=True) + PLAYBOOKS:
        with open(path) as handle:
            if re.search(r"\{%-?\s*(set|for)\b", handle.read()):
                found.append(os.path.relpath(path, ROOT))
    assert not found, found
