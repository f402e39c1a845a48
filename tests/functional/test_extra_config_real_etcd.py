# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fact the etcd_extra_config allow-list rests on, shown by a real etcd (3.5.1) reading a conf.yml: keys are
matched without regard to case, and with Unicode folding (a long s is an s), so `Data-Dir` moves the data dir and
`\u017fnapshot-count` sets snapshot-count. A key spelled so is refused by the preflight: it would really change the
member."""

import json
import os
import subprocess
import time

from local_etcd import ETCD, free_port


def test_etcd_reads_keys_without_regard_to_case(tmp_path):
    client, peer = free_port("127.0.0.1"), free_port("127.0.0.1")
    moved = tmp_path / "moved"
    conf = tmp_path / "conf.yml"
    conf.write_text(
        "name: m1\n"
        "Data-Dir: %s\n"
        "\u017fnapshot-count: 1234\n"
        "listen-client-urls: http://127.0.0.1:%d\n"
        "advertise-client-urls: http://127.0.0.1:%d\n"
        "listen-peer-urls: http://127.0.0.1:%d\n"
        "initial-advertise-peer-urls: http://127.0.0.1:%d\n"
        "initial-cluster: m1=http://127.0.0.1:%d\n" % (moved, client, client, peer, peer, peer),
        encoding="utf-8",
    )
    log_path = tmp_path / "etcd.log"
    started = None
    with open(str(log_path), "w") as log:
        proc = subprocess.Popen([ETCD, "--config-file", str(conf)], cwd=str(tmp_path), stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while started is None and time.monotonic() < deadline:
                time.sleep(0.3)
                for line in log_path.read_text().splitlines():
                    if '"msg":"starting an etcd server"' in line:
                        started = json.loads(line)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert started is not None, log_path.read_text()[-2000:]
    assert started["data-dir"] == str(moved) and os.path.isdir(str(moved)), started
    assert started["snapshot-count"] == 1234, started
    assert not (tmp_path / "m1.etcd").exists(), "no default data dir"
