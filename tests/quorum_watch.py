"""Write to an etcd cluster without pause until told to stop, and report every failed write.

Used around rolling operations: if the cluster ever loses quorum, writes fail. Each write is a
real `etcdctl put` over mutual TLS with the admin client, against every endpoint (etcdctl fails
over between them), with etcdctl's default command timeout. A put that fails on its connection (the member answering it
was stopping) is tried once more and listed under "retried"; only a second failure counts.

    quorum_watch.py --stop-file F --report R --etcdctl PATH --pki DIR ENDPOINT...

Stops when F exists (or after --max-seconds), then writes a JSON report to R and exits 0.
"""

import argparse
import json
import os
import subprocess
import time

PREFIX = "quorum-watch/"

# Errors from the connection, not from the cluster: the member answering the put was going away (a graceful stop
# closes its gRPC server while its port still answers plain HTTP: "missing content-type field"). etcdctl does not
# fail over on these, so such a put is tried once more. A cluster without quorum answers "context deadline
# exceeded", "request timed out" or "no leader": never retried, and a second try would fail as well.
_TRANSPORT_ERRORS = (
    "missing content-type field",
    "transport is closing",
    "connection refused",
    "error reading from server: EOF",
)


def is_transport_error(stderr):
    """Whether a failed put's ``stderr`` is the connection's error rather than the cluster's answer."""
    return any(marker in stderr for marker in _TRANSPORT_ERRORS) and not any(
        marker in stderr for marker in ("deadline exceeded", "request timed out", "no leader")
    )


def key_of(run, seq):
    return "%s%s/%06d" % (PREFIX, run, seq)


def judge(run, writes, failures, present):
    """The report of run ``run``: ``writes`` puts numbered 1..writes, ``failures`` those that failed, ``present``
    the keys read back afterwards. ``lost``: acknowledged puts whose key is not there (must stay empty)."""
    failed = {failure["seq"] for failure in failures}
    acknowledged = [seq for seq in range(1, writes + 1) if seq not in failed]
    lost = [seq for seq in acknowledged if key_of(run, seq) not in present]
    return {
        "writes": writes,
        "failures": failures,
        "acknowledged": len(acknowledged),
        "readable": len(acknowledged) - len(lost),
        "lost": lost[:20],
        "committed_despite_error": len([seq for seq in failed if key_of(run, seq) in present]),
    }


def not_in_flight_at_a_stop(failures, stops):
    """The failures that no member's stop explains. ``stops`` are (start, end) on the monotonic clock, each around
    one member's SIGTERM and exit. A put in flight while a member stops may wait out its deadline: etcd's graceful
    stop holds the RPCs it accepted while its raft node is gone. One such put per stop is etcd's doing; any other
    failure (a put that began after the stop was over, a second one at the same stop) is the cluster's."""
    left, used = [], set()
    for failure in failures:
        stop = next(
            (
                index
                for index, (start, end) in enumerate(stops)
                if index not in used and failure["began"] <= end and failure["ended"] >= start
            ),
            None,
        )
        if stop is None:
            left.append(failure)
        else:
            used.add(stop)
    return left


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--etcdctl", required=True)
    parser.add_argument("--pki", required=True)
    # A named client's exported bundle instead (DIR/ca.crt, DIR/NAME.crt, DIR/NAME.key), read afresh by
    # every etcdctl call, as a client that follows its owner's files during a CA rotation.
    parser.add_argument("--client")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("endpoints", nargs="+")
    args = parser.parse_args()
    if args.client:
        cert, key = (os.path.join(args.pki, args.client + ext) for ext in (".crt", ".key"))
    else:
        cert, key = (os.path.join(args.pki, "clients", "admin" + ext) for ext in (".crt", ".key"))
    base = [
        args.etcdctl,
        "--endpoints=" + ",".join(args.endpoints),
        "--cacert=" + os.path.join(args.pki, "ca.crt"),
        "--cert=" + cert,
        "--key=" + key,
    ]
    started = time.monotonic()
    # Each run writes under a prefix of its own: a second run on the same cluster sees only its own keys.
    run = "%d-%d" % (time.time(), os.getpid())
    failures, retried, seq = [], [], 0
    while not os.path.exists(args.stop_file) and time.monotonic() - started < args.max_seconds:
        seq += 1
        put = [*base, "put", key_of(run, seq), str(time.time())]
        began = time.monotonic()
        proc = subprocess.run(put, capture_output=True, text=True, check=False)
        if proc.returncode != 0 and is_transport_error(proc.stderr):
            # Reported, not hidden: the report lists every put that needed its second try.
            retried.append(
                {"seq": seq, "at": round(time.monotonic() - started, 2), "error": proc.stderr.strip()[-300:]}
            )
            proc = subprocess.run(put, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            # began and ended: the system's monotonic clock, which a test's own time.monotonic() reads too.
            ended = time.monotonic()
            failures.append(
                {
                    "seq": seq,
                    "at": round(ended - started, 2),
                    "began": began,
                    "ended": ended,
                    "error": proc.stderr.strip()[-300:],
                }
            )
        time.sleep(0.1)
    # Every acknowledged write must be readable afterwards. A failed write may still have been committed (its
    # answer lost with the connection): it is counted, not held against the cluster.
    proc = subprocess.run(
        [*base, "get", "%s%s/" % (PREFIX, run), "--prefix", "--keys-only"], capture_output=True, text=True, check=False
    )
    present = {line.strip() for line in proc.stdout.splitlines() if line.strip()}
    report = judge(run, seq, failures, present)
    report["retried"] = retried
    report["seconds"] = round(time.monotonic() - started, 1)
    # Written whole or not at all: the judge never reads half a report.
    with open(args.report + ".tmp", "w") as handle:
        json.dump(report, handle)
    os.replace(args.report + ".tmp", args.report)


if __name__ == "__main__":
    main()
