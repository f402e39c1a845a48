#!/usr/bin/env python3
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judge a report of longlived.py: prints the counts, exits 1 on any violation.

- one gRPC channel for the whole run;
- no write given up (each was retried for its --retry seconds);
- the revisions of the acknowledged writes, and of the watch events, only ever go up;
- the watch saw every acknowledged write, at its revision (no gap across a broken stream).
"""

import json
import sys


def judge(report):
    problems = []
    acked, events = report["acked"], report["events"]
    ack_revisions = [rev for _key, rev in acked]
    event_revisions = [rev for _key, rev in events]
    if len(report["channel_ids"]) != 1:
        problems.append("%d gRPC channels, wanted one" % len(report["channel_ids"]))
    if report["failed"]:
        problems.append("%d writes given up" % report["failed"])
    if len(acked) < 20:
        problems.append("only %d acknowledged writes" % len(acked))
    if any(b <= a for a, b in zip(ack_revisions, ack_revisions[1:])):
        problems.append("an acknowledged write's revision went backwards")
    if any(b <= a for a, b in zip(event_revisions, event_revisions[1:])):
        problems.append("a watch event's revision went backwards (or repeated)")
    seen = dict((key, rev) for key, rev in events)
    missing = [[key, rev] for key, rev in acked if seen.get(key) != rev]
    if missing:
        problems.append("the watch missed %d acknowledged writes, first %s" % (len(missing), missing[:3]))
    summary = (
        "%d writes acknowledged, %d given up, %d put attempts retried, %d watch events, %d watch stream restarts, "
        "%d gRPC channel(s)"
        % (
            len(acked),
            report["failed"],
            report["attempts_failed"],
            len(events),
            report["watch_restarts"],
            len(report["channel_ids"]),
        )
    )
    return summary, problems


def main():
    with open(sys.argv[1]) as handle:
        summary, problems = judge(json.load(handle))
    print(summary)
    for problem in problems:
        print("VIOLATION: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
