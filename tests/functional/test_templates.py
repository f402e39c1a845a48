# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The etcd role's templates, rendered by Ansible for the cases the containers here cannot run:
etcd 3.4 and 3.6, arm and arm64, OpenRC and systemd."""

import re
import subprocess

import yaml
from conftest import ROOT

PLAY = """
- name: Render
  hosts: etcd
  gather_facts: false
  vars_files:
    - {root}/roles/etcd/defaults/main.yml
    - {root}/roles/etcd/vars/main.yml
  vars:
    etcd_member: >-
      {{{{ groups['etcd'] | etcdtls.cluster.etcd_members(hostvars)
         | selectattr('host', 'equalto', inventory_hostname) | first }}}}
    etcd_release_arch: "{{{{ machine | etcdtls.cluster.etcd_release_arch }}}}"
    etcd_install:
      version: "{{{{ etcd_test_version }}}}"
      bin_dir: /usr/local/bin
      features: "{{{{ etcd_test_version | etcdtls.cluster.etcd_release_features(etcd_release_arch) }}}}"
  tasks:
    - name: Render each template
      ansible.builtin.copy:
        content: "{{{{ lookup('ansible.builtin.template', '{root}/roles/etcd/templates/' ~ item) }}}}"
        dest: "{out}/{{{{ inventory_hostname }}}}-{{{{ item }}}}"
        mode: "0644"
      loop: [conf.yml.j2, etcd.service.j2, openrc-confd.j2, openrc-init.j2]
"""

INVENTORY = """
etcd:
  hosts:
    pi34: {{etcd_address: 192.168.7.11, machine: aarch64, etcd_test_version: "3.4.23", etcd_name: x-k3s-m-1}}
    pi36: {{etcd_address: 192.168.7.12, machine: armv7l, etcd_test_version: "3.6.0"}}
    x86: {{etcd_address: "fd00::13", machine: x86_64, etcd_test_version: "3.5.17"}}
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
"""


def render(playbook, tmp_path, versions=None, extra=()):
    out = tmp_path / "out"
    out.mkdir()
    inventory = INVENTORY.format()
    for host, version in (versions or {}).items():
        inventory = re.sub(r'(%s: \{.*etcd_test_version: ")[^"]+"' % host, r'\g<1>%s"' % version, inventory)
    # -e key=value hands the role strings: the template must still write the integers etcd wants.
    rc, data = playbook.run(
        PLAY.format(root=ROOT, out=out),
        inventory,
        "-e",
        "etcd_snapshot_count=5000",
        "-e",
        '{"etcd_extra_config": {"max-request-bytes": 2097152, "peer-transport-security": {"allowed-cn": ["etcd"]}}}',
        *extra,
    )
    assert rc == 0, data
    return lambda host, name: (out / ("%s-%s" % (host, name))).read_text()


def test_conf_yml_per_version(playbook, tmp_path):
    read = render(playbook, tmp_path)
    conf34 = yaml.safe_load(read("pi34", "conf.yml.j2"))
    conf36 = yaml.safe_load(read("pi36", "conf.yml.j2"))
    conf35 = yaml.safe_load(read("x86", "conf.yml.j2"))
    assert conf34["name"] == "x-k3s-m-1"
    assert conf34["listen-client-urls"] == "https://192.168.7.11:2379,https://127.0.0.1:2379"
    assert conf34["listen-peer-urls"] == conf34["initial-advertise-peer-urls"] == "https://192.168.7.11:2380"
    assert conf34["initial-cluster"] == (
        "x-k3s-m-1=https://192.168.7.11:2380,pi36=https://192.168.7.12:2380,x86=https://[fd00::13]:2380"
    )
    assert conf34["initial-cluster-state"] == "new" and conf34["initial-cluster-token"] == "etcd"
    for conf in (conf34, conf35, conf36):
        for side in ("client-transport-security", "peer-transport-security"):
            assert conf[side]["client-cert-auth"] is True and conf[side]["auto-tls"] is False
        assert conf["snapshot-count"] == 5000
        assert conf["listen-metrics-urls"] == "http://127.0.0.1:2381"
        assert conf["max-request-bytes"] == 2097152
        # Merged deeply: a key under peer-transport-security keeps the cert paths beside it.
        assert conf["peer-transport-security"]["allowed-cn"] == ["etcd"]
        assert conf["peer-transport-security"]["cert-file"] == "/etc/etcd/pki/peer.crt"
        # The peer port trusts the peer CA alone; the client port the CA.
        assert conf["peer-transport-security"]["trusted-ca-file"] == "/etc/etcd/pki/peer-ca.crt"
        assert conf["client-transport-security"]["trusted-ca-file"] == "/etc/etcd/pki/ca.crt"
        assert conf["logger"] == "zap"
    assert conf34["enable-v2"] is False and conf35["enable-v2"] is False
    # 3.4 serves the v3 JSON API (APISIX's) only when asked in the config file.
    assert conf34["enable-grpc-gateway"] is True and "enable-grpc-gateway" not in conf35
    assert "enable-v2" not in conf36  # removed in etcd 3.6
    assert conf35["advertise-client-urls"] == "https://[fd00::13]:2379"


def test_a_joining_member_starts_with_the_members_it_joins(playbook, tmp_path):
    """add-member.yml sets __etcd_join_cluster on the host that joins: initial-cluster-state existing, and the
    members it joins; every other member keeps the whole group and state new (lines etcd no longer reads)."""
    join = "x-k3s-m-1=https://192.168.7.11:2380,pi36=https://192.168.7.12:2380"
    read = render(playbook, tmp_path, extra=("-e", '{"__etcd_join_cluster": "%s"}' % join))
    joined = yaml.safe_load(read("pi34", "conf.yml.j2"))
    assert (joined["initial-cluster-state"], joined["initial-cluster"]) == ("existing", join)
    (tmp_path / "plain").mkdir()
    plain = yaml.safe_load(render(playbook, tmp_path / "plain")("pi34", "conf.yml.j2"))
    assert plain["initial-cluster-state"] == "new" and plain["initial-cluster"].endswith("x86=https://[fd00::13]:2380")


def test_unsupported_arch_reaches_both_service_managers(playbook, tmp_path):
    read = render(playbook, tmp_path)
    assert "Environment=ETCD_UNSUPPORTED_ARCH=arm64" in read("pi34", "etcd.service.j2")  # arm64 on 3.4
    assert "Environment=ETCD_UNSUPPORTED_ARCH=arm\n" in read("pi36", "etcd.service.j2")  # 32-bit arm
    assert "ETCD_UNSUPPORTED_ARCH" not in read("x86", "etcd.service.j2")
    assert "ETCD_UNSUPPORTED_ARCH=arm64" in read("pi34", "openrc-confd.j2")
    assert "ETCD_UNSUPPORTED_ARCH" not in read("x86", "openrc-confd.j2")
    unit = read("x86", "etcd.service.j2")
    for line in (
        "Type=notify",
        "User=etcd",
        "Restart=on-failure",
        "LimitNOFILE=65536",
        "ExecStart=/usr/local/bin/etcd --config-file=/etc/etcd/conf.yml",
    ):
        assert line in unit
    init = read("pi36", "openrc-init.j2")
    assert init.startswith("#!/sbin/openrc-run\n")
    assert "supervisor=supervise-daemon" in init
    assert "--env ETCD_UNSUPPORTED_ARCH=$ETCD_UNSUPPORTED_ARCH" in init


AEAD = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
]


def test_hardening_keys_per_version(playbook, tmp_path):
    read = render(playbook, tmp_path)
    conf34, conf35, conf36 = (yaml.safe_load(read(host, "conf.yml.j2")) for host in ("pi34", "x86", "pi36"))
    # 3.4.23: no tls-min-version yet; TLS 1.2 is the floor through the AEAD-only suites.
    assert "tls-min-version" not in conf34 and conf34["cipher-suites"] == AEAD
    assert conf35["tls-min-version"] == conf36["tls-min-version"] == "TLS1.2"
    assert conf35["cipher-suites"] == conf36["cipher-suites"] == AEAD
    for conf in (conf34, conf35, conf36):
        assert conf["enable-pprof"] is False
    assert (
        conf34["experimental-initial-corrupt-check"] is True and "experimental-compact-hash-check-enabled" not in conf34
    )
    assert conf35["experimental-initial-corrupt-check"] is True
    assert conf35["experimental-compact-hash-check-enabled"] is True
    # 3.6: feature gates, never beside the experimental keys (etcd refuses both).
    assert conf36["feature-gates"] == "InitialCorruptCheck=true,CompactHashCheck=true"
    assert not [key for key in conf36 if key.startswith("experimental-")]


def test_hardening_keys_at_the_version_edges(playbook, tmp_path):
    read = render(
        playbook,
        tmp_path,
        versions={"pi34": "3.4.25", "x86": "3.5.1", "pi36": "3.5.8"},
        extra=("-e", "etcd_tls_min_version=TLS1.3"),
    )
    conf3425, conf351, conf358 = (yaml.safe_load(read(host, "conf.yml.j2")) for host in ("pi34", "x86", "pi36"))
    assert conf3425["tls-min-version"] == conf358["tls-min-version"] == "TLS1.3"
    # etcd refuses cipher suites beside TLS 1.3 only; 3.5.1 has no tls-min-version (the preflight refuses
    # TLS1.3 for it before any change; the template alone writes neither key).
    for conf in (conf3425, conf351, conf358):
        assert "cipher-suites" not in conf
    assert "tls-min-version" not in conf351
    assert (
        "experimental-compact-hash-check-enabled" not in conf351 and conf358["experimental-compact-hash-check-enabled"]
    )


ALPINE_PLAY = """
- name: An Alpine Pi's OS defaults and OpenRC files
  hosts: pi
  gather_facts: false
  vars_files:
    - {root}/roles/etcd/defaults/main.yml
    - {root}/roles/etcd/vars/main.yml
  vars:
    role_path: {root}/roles/etcd
    etcd_member: >-
      {{{{ groups['pi'] | etcdtls.cluster.etcd_members(hostvars) | first }}}}
    etcd_install:
      version: "3.5.16"
      bin_dir: "{{{{ etcd_package_bin_dir }}}}"
      features: "{{{{ '3.5.16' | etcdtls.cluster.etcd_release_features(machine
        | etcdtls.cluster.etcd_release_arch) }}}}"
  tasks:
    - name: Gathered facts of the host
      ansible.builtin.set_fact:
        ansible_distribution: "{{{{ distribution }}}}"
        ansible_os_family: "{{{{ distribution }}}}"
        ansible_distribution_major_version: "{{{{ major }}}}"
        cacheable: true

    - name: The role's own OS vars step
      ansible.builtin.include_tasks: {root}/roles/etcd/tasks/steps/os_vars.yml

    - name: Render the OpenRC files
      ansible.builtin.copy:
        content: "{{{{ lookup('ansible.builtin.template', '{root}/roles/etcd/templates/' ~ item) }}}}"
        dest: "{out}/{{{{ inventory_hostname }}}}-{{{{ item }}}}"
        mode: "0644"
      loop: [openrc-confd.j2, openrc-init.j2]

    - name: What the package method installs
      ansible.builtin.copy:
        content: "{{{{ {{'packages': etcd_packages, 'bin_dir': etcd_package_bin_dir}} | to_json }}}}"
        dest: "{out}/{{{{ inventory_hostname }}}}-packages.json"
        mode: "0644"
"""

ALPINE_INVENTORY = """
pi:
  hosts:
    alpine: {etcd_address: 192.168.7.11, machine: armv7l, distribution: Alpine, major: "3"}
    debian: {etcd_address: 192.168.7.12, machine: aarch64, distribution: Debian, major: "12"}
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
"""


def test_alpine_package_method_and_openrc_files(playbook, tmp_path):
    """Alpine (the seed's OS) cannot be booted here: its facts drive the role's own OS-vars step and templates.
    The package method installs Alpine's etcd, etcd-ctl and etcd-openrc, and the role's init script takes over
    /etc/init.d/etcd with the seed's `need net`; Debian under OpenRC has no "net" provider, so it uses it."""
    out = tmp_path / "out"
    out.mkdir()
    rc, data = playbook.run(ALPINE_PLAY.format(root=ROOT, out=out), ALPINE_INVENTORY)
    assert rc == 0, data
    packages = yaml.safe_load((out / "alpine-packages.json").read_text())
    assert packages == {"packages": ["etcd", "etcd-ctl", "etcd-openrc"], "bin_dir": "/usr/bin"}
    assert yaml.safe_load((out / "debian-packages.json").read_text())["packages"] == ["etcd-server", "etcd-client"]
    init = (out / "alpine-openrc-init.j2").read_text()
    assert "\tneed net\n" in init and "command=/usr/bin/etcd\n" in init
    assert 'command_args="--config-file=${ETCD_CONFIG_FILE}"' in init
    assert "\tuse net\n" in (out / "debian-openrc-init.j2").read_text()
    confd = (out / "alpine-openrc-confd.j2").read_text()
    # A 32-bit Pi on Alpine: the package's etcd demands ETCD_UNSUPPORTED_ARCH=arm.
    assert "ETCD_CONFIG_FILE=/etc/etcd/conf.yml\n" in confd and "ETCD_UNSUPPORTED_ARCH=arm\n" in confd


def test_paths_reach_the_openrc_shell_and_the_unit_as_one_word(playbook, tmp_path):
    """The preflight refuses such paths; the templates still quote them as the shell and systemd read them: a
    command substitution in a path stays text (the review's `/var/lib/etcd $(touch X)`)."""
    marker = tmp_path / "ran"
    hostile = "/var/lib/etcd $(touch %s) %%n" % marker
    read = render(
        playbook, tmp_path, extra=("-e", "etcd_data_dir='%s'" % hostile, "-e", "etcd_config_dir='/etc/my etcd'")
    )
    confd = tmp_path / "confd"
    confd.write_text(read("x86", "openrc-confd.j2"))
    result = subprocess.run(
        ["sh", "-c", '. "$1"; printf %s "$ETCD_DATA_DIR"', "sh", str(confd)], capture_output=True, text=True, check=True
    )
    assert result.stdout == hostile and not marker.exists()
    init = read("x86", "openrc-init.j2")
    assert ": ${ETCD_DATA_DIR:='" + hostile + "'}" in init
    unit = read("x86", "etcd.service.j2")
    assert 'ExecStart=/usr/local/bin/etcd "--config-file=/etc/my etcd/conf.yml"\n' in unit
