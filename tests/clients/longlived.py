#!/usr/bin/env python3
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A long-lived etcd client, as kube-apiserver or APISIX is: ONE gRPC channel (PyPI etcd3) to one
member, held for the whole run, writing a key about ten times a second and watching its own prefix.

A write is retried (as a real client does) for up to --retry seconds; it counts as acknowledged
when a put returns. The watch resumes after a broken stream from the revision after the last event
it saw, as a reflector does. On SIGTERM it writes its report (JSON) and exits:
  acked       [key, revision] of every acknowledged write, in order
  failed      writes given up after --retry seconds
  attempts_failed  failed put attempts (retried)
  events      [key, mod_revision] of every watch event, in order
  watch_restarts   how often the watch stream broke and resumed
  channel_ids the id of the gRPC channel object at each write (one value: one channel all along)

Needs PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python (etcd3 0.12's generated code predates protobuf 4).
"""

import argparse
import json
import os
import signal
import threading
import time

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")

import etcd3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, default=2379)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--retry", type=float, default=10.0)
    args = parser.parse_args()

    client = etcd3.client(
        host=args.host, port=args.port, ca_cert=args.ca, cert_cert=args.cert, cert_key=args.key, timeout=3
    )
    stop = threading.Event()
    lock = threading.Lock()
    report = {"acked": [], "failed": 0, "attempts_failed": 0, "events": [], "watch_restarts": 0, "channel_ids": []}
    report["watch_resume_errors"] = []
    last_event = {"revision": None}

    def on_watch(response):
        if isinstance(response, Exception):
            with lock:
                report["watch_restarts"] += 1
            threading.Thread(target=resume, daemon=True).start()
            return
        with lock:
            for event in response.events:
                report["events"].append([event.key.decode(), event.mod_revision])
                last_event["revision"] = event.mod_revision

    def resume():
        while not stop.is_set():
            time.sleep(0.2)
            try:
                with lock:
                    start = (last_event["revision"] or first_revision) + 1
                client.add_watch_prefix_callback(args.prefix, on_watch, start_revision=start)
                return
            except Exception as exc:  # the member may still be down: try again
                with lock:
                    report["watch_resume_errors"].append(str(exc)[:200])

    # The watch starts at the revision before the first write, so it must see every write.
    first_revision = client.get_response(args.prefix).header.revision
    client.add_watch_prefix_callback(args.prefix, on_watch, start_revision=first_revision + 1)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    number = 0
    while not stop.is_set():
        number += 1
        key = "%s%06d" % (args.prefix, number)
        deadline = time.monotonic() + args.retry
        while True:
            try:
                response = client.put(key, "v%d" % number)
                with lock:
                    report["acked"].append([key, response.header.revision])
                    report["channel_ids"].append(id(client.channel))
                break
            except Exception:  # any failure of a put is counted and retried
                report["attempts_failed"] += 1
                if time.monotonic() > deadline or stop.is_set():
                    report["failed"] += 1
                    break
                time.sleep(0.2)
        stop.wait(args.interval)
    time.sleep(1)  # the last events
    with lock:
        report["channel_ids"] = sorted(set(report["channel_ids"]))
        with open(args.report + ".tmp", "w") as handle:
            json.dump(report, handle)
    os.replace(args.report + ".tmp", args.report)


if __name__ == "__main__":
    main()
