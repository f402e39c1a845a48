# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The member probe, on real files: conf.yml as the role renders it, a real CA, a real data dir."""

import datetime
import socket
import subprocess
import sys
import time

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input, probe

NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)

CONF = """\
name: etcd1
data-dir: {data_dir}
client-transport-security:
  cert-file: /etc/etcd/pki/server.crt
  trusted-ca-file: {ca}
peer-transport-security:
  cert-file: /etc/etcd/pki/peer.crt
  trusted-ca-file: '{ca}'
"""


def make_ca(tmp_path, name):
    path = str(tmp_path / name)
    pki.ensure_pki(pki.PkiSettings(path), pki_input.parse_members([{"name": "e1", "ips": ["10.0.0.1"]}]), [], now=NOW)
    return path + "/ca.crt"


def openssl_fingerprint(path):
    out = subprocess.run(
        ["openssl", "x509", "-in", path, "-noout", "-fingerprint", "-sha256"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().split("=", 1)[1]


def test_nothing_on_a_fresh_host(tmp_path):
    result = probe.probe_member(str(tmp_path / "conf.yml"), str(tmp_path / "data"), str(tmp_path / "ca.crt"), None)
    assert result["config_exists"] is False and result["has_data"] is False
    assert result["ca_fingerprints"] == [] and result["running"] is False


def test_fingerprints_match_openssl_and_a_bundle_lists_each(tmp_path):
    first, second = make_ca(tmp_path, "a"), make_ca(tmp_path, "b")
    bundle = tmp_path / "bundle.crt"
    with open(first, "rb") as one, open(second, "rb") as two:
        bundle.write_bytes(one.read() + two.read())
    assert probe.pem_fingerprints(bundle.read_bytes()) == [openssl_fingerprint(first), openssl_fingerprint(second)]


def test_reads_the_data_dir_and_the_cas_that_conf_yml_names(tmp_path):
    ca = make_ca(tmp_path, "a")
    old = tmp_path / "old-data"
    (old / "member").mkdir(parents=True)
    conf = tmp_path / "conf.yml"
    conf.write_text(CONF.format(data_dir=old, ca=ca))
    result = probe.probe_member(str(conf), str(tmp_path / "new-data"), str(tmp_path / "unused.crt"), None)
    assert result["config_data_dir"] == str(old)
    assert result["data_dirs"] == {str(tmp_path / "new-data"): False, str(old): True}
    assert result["has_data"] is True and result["ca_files"] == [ca]
    assert result["ca_fingerprints"] == [openssl_fingerprint(ca)]


def test_a_running_process_is_seen(tmp_path):
    name = "etcdtls-probe"
    args = (str(tmp_path / "conf.yml"), str(tmp_path), str(tmp_path / "ca.crt"), name)
    assert probe.probe_member(*args)["running"] is False
    # A process whose comm is the name, as etcd's is "etcd"; wait (bounded) until /proc shows it.
    code = "open('/proc/self/comm', 'w').write(%r); import time; time.sleep(30)" % name
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open("/proc/%d/comm" % proc.pid) as handle:
                if handle.read().strip() == name:
                    break
            time.sleep(0.05)
        result = probe.probe_member(*args)
    finally:
        proc.kill()
        proc.wait()
    assert result["running"] is True


def test_user_group_and_an_enabled_service(tmp_path):
    import grp
    import os
    import pwd

    args = (str(tmp_path / "conf.yml"), str(tmp_path), str(tmp_path / "ca.crt"), None)
    me, my_group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    found = probe.probe_member(*args, user=me, group=my_group)
    assert found["user_exists"] is True and found["group_exists"] is True and found["service_enabled"] is None
    missing = probe.probe_member(*args, user="etcdtls-no-user", group="etcdtls-no-group")
    assert missing["user_exists"] is False and missing["group_exists"] is False
    wants = tmp_path / "etc" / "systemd" / "system" / "multi-user.target.wants"
    assert probe.service_enabled("etcd", root=str(tmp_path)) is False
    wants.mkdir(parents=True)
    (wants / "etcd.service").symlink_to("/etc/systemd/system/etcd.service")
    assert probe.service_enabled("etcd", root=str(tmp_path)) is True
    runlevel = tmp_path / "etc" / "runlevels" / "default"
    runlevel.mkdir(parents=True)
    (runlevel / "etcd2").symlink_to("/etc/init.d/etcd2")
    assert probe.service_enabled("etcd2", root=str(tmp_path)) is True


def test_listening_ports_from_the_kernels_tables(tmp_path):
    """The format of /proc/net/tcp and tcp6 (0A is LISTEN): a listener on 2379 over IPv4 and on 2380 over IPv6 are
    found, an established connection from port 2381 is not, and a real listener is seen in this host's own /proc."""
    (tmp_path / "net").mkdir()
    head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    (tmp_path / "net" / "tcp").write_text(
        head
        + "   0: 0100007F:094B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
        + "   1: 0100007F:094D 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n"
    )
    (tmp_path / "net" / "tcp6").write_text(
        head + "   0: 00000000000000000000000000000000:094C 00000000000000000000000000000000:0000 0A 0 0 0 0 0 3 1\n"
    )
    assert probe.listening_ports([2379, 2380, 2381, 2382], proc=str(tmp_path)) == [2379, 2380]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert probe.listening_ports([port]) == [port]
    assert probe.listening_ports([port]) == []
