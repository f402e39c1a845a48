# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd's upgrade rules, judged before anything changes (playbooks/upgrade.yml).

One minor at a time, never down; a cluster left mixed by an interrupted upgrade resumes towards the same
release; 3.5 -> 3.6 needs every member on 3.5.32 or later, a clean ``etcdutl check v2store`` on each and no
``enable-v2``; a rolling 3.4 -> 3.5 with authentication on is what etcd's guide warns against.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.etcdtls.cluster.plugins.module_utils.releases import UPGRADE_FLOORS, release, supports, text


def parse(version, where):
    found = release(str(version or "").strip())
    if found is None:
        return None, "%s runs %r, not an X.Y.Z release etcd reports" % (where, version)
    return found, None


def v2store_answer(result):
    """What ``etcdutl check v2store`` said, from the task result registered on a member: its output, or None where it
    could not run (the task skipped, the member not reached, an etcdutl without the check). Text passes as it is."""
    if result is None or isinstance(result, str):
        return result
    if result.get("skipped") or "rc" not in result or "unknown command" in (result.get("stderr") or ""):
        return None
    return result.get("stdout", "") if result["rc"] == 0 else result.get("stderr", "")


def judge(running, target, auth_enabled=False, extra_config=None, v2store=None):
    """Whether the members in ``running`` ({member: version}) may move to ``target``.

    ``v2store`` ({member: output of etcdutl check v2store, or None when it could not run, or the task result it came
    from: v2store_answer}) matters for 3.5 -> 3.6.
    Returns {kind: none|patch|minor, source, target, problems, warnings}.
    """
    problems, warnings = [], []
    wanted, problem = parse(target, "etcd_version")
    if problem:
        return {"kind": None, "source": None, "target": target, "problems": [problem], "warnings": []}
    releases = {}
    for member, version in sorted((running or {}).items()):
        release, problem = parse(version, member)
        if problem:
            problems.append(problem)
        else:
            releases[member] = release
    if not releases:
        problems.append("no member answered with its version: the cluster must be healthy before an upgrade")
        return {"kind": None, "source": None, "target": text(wanted), "problems": problems, "warnings": warnings}
    source = min(releases.values())
    found = sorted(set(releases.values()))
    if len(found) > 1 and found != sorted({source, wanted}):
        problems.append(
            "the members run %s: a cluster mixed other than between one release and etcd_version %s cannot be "
            "judged; bring every member to one release first"
            % (
                ", ".join("%s %s" % (member, text(release)) for member, release in sorted(releases.items())),
                text(wanted),
            )
        )
    kind = "none"
    if wanted < source:
        problems.append(
            "etcd_version %s is older than the %s the members run: this playbook never goes down (etcd's downgrade "
            "is its own procedure, etcdctl downgrade)" % (text(wanted), text(source))
        )
    elif wanted[:2] == source[:2]:
        kind = "patch" if wanted != source or len(found) > 1 else "none"
    elif wanted[0] != source[0] or wanted[1] != source[1] + 1:
        problems.append(
            "etcd_version %s skips a minor release: the members run %s, and etcd upgrades one minor at a time; "
            "go to %d.%d first" % (text(wanted), text(source), source[0], source[1] + 1)
        )
    else:
        kind = "minor"
        floor = UPGRADE_FLOORS.get(wanted[:2])
        if floor is not None:
            low = sorted(member for member, release in releases.items() if release < floor)
            if low:
                problems.append(
                    "%s %s older than %s: etcd %d.%d takes members from %s or later only; upgrade to the newest %d.%d "
                    "patch first"
                    % (
                        ", ".join(low),
                        "is" if len(low) == 1 else "are",
                        text(floor),
                        wanted[0],
                        wanted[1],
                        text(floor),
                        source[0],
                        source[1],
                    )
                )
        else:
            warnings.append(
                "etcd upgrades from the newest patch of %d.%d: the members run %s; if a newer %d.%d patch exists, "
                "go there first" % (source[0], source[1], text(source), source[0], source[1])
            )
        if supports(wanted, "auth_rolling_upgrade_warned") and auth_enabled:
            problems.append(
                "etcd's upgrade guide warns against a rolling 3.4 -> 3.5 upgrade with authentication on "
                "(etcd_auth_enabled): disable authentication for the upgrade, or upgrade offline"
            )
        if supports(wanted, "refuses_v2_data"):
            if (extra_config or {}).get("enable-v2"):
                problems.append("etcd_extra_config sets enable-v2, which etcd 3.6 no longer has: remove it first")
            for member in sorted(releases):
                output = v2store_answer((v2store or {}).get(member))
                if output is None:
                    problems.append(
                        "%s: etcdutl check v2store could not run there; etcd 3.6 panics on v2 data it finds "
                        '("detected disallowed v2 WAL"), so every member must be checked clean first' % member
                    )
                elif "No custom content" not in output:
                    problems.append(
                        "%s: etcdutl check v2store found v2 content (%s); etcd 3.6 would refuse it: migrate or remove "
                        "the v2 data first"
                        % (member, output.strip().splitlines()[-1] if output.strip() else "no answer")
                    )
    return {
        "kind": kind,
        "source": text(source),
        "target": text(wanted),
        "problems": problems,
        "warnings": warnings,
    }
