#!/usr/bin/env python3
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When was each member down, and was more than one ever down at once?

Reads, as JSON on stdin, {member: journal lines} from `journalctl -u etcd -o short-unix` (systemd's own
"Stopping ..." and, with Type=notify, "Started ..." once the member is ready), prints each member's
down windows, and exits 1 when two members' windows overlap (quorum of 3 lost).
"""

import json
import sys


def windows(lines):
    """[start, end] of each stop-to-ready window; a window still open ends at +inf."""
    found, down_since = [], None
    for line in lines:
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        try:
            stamp = float(parts[0])
        except ValueError:
            continue
        if "Stopping etcd" in parts[1] and down_since is None:
            down_since = stamp
        elif "Started etcd" in parts[1] and down_since is not None:
            found.append([down_since, stamp])
            down_since = None
    if down_since is not None:
        found.append([down_since, float("inf")])
    return found


def overlaps(by_member):
    found = []
    members = sorted(by_member)
    for i, first in enumerate(members):
        for second in members[i + 1 :]:
            for a in by_member[first]:
                for b in by_member[second]:
                    if a[0] < b[1] and b[0] < a[1]:
                        found.append([first, a, second, b])
    return found


def main():
    by_member = dict((member, windows(lines)) for member, lines in json.load(sys.stdin).items())
    for member, found in sorted(by_member.items()):
        print("%s down %d time(s): %s" % (member, len(found), ", ".join("%.1fs" % (b - a) for a, b in found)))
    clashes = overlaps(by_member)
    for clash in clashes:
        print("VIOLATION: %s and %s were down at the same time: %s %s" % (clash[0], clash[2], clash[1], clash[3]))
    return 1 if clashes else 0


if __name__ == "__main__":
    sys.exit(main())
