#!/usr/bin/env python3
"""Build the PKI of 3, 7 and 15 members with etcd_pki and with the community.crypto chain.

For each size it measures:
  module   ensure_pki() in-process: the module's own work, no Ansible overhead
  e2e      ansible-playbook on localhost running etcdtls.cluster.etcd_pki once
  chain    ansible-playbook on localhost building the same certificates with community.crypto
           (openssl_privatekey + openssl_csr_pipe + x509_certificate, selfsigned CA and ownca leaves)
and prints the wall times and the chain/e2e ratio. Run with `make bench`.
Numbers are printed, never asserted: timing is not a test.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "collections"))

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input


def members(count):
    return [{"name": "etcd%d" % i, "ips": ["10.0.0.%d" % i]} for i in range(1, count + 1)]


OUR_PLAY = """
- name: etcd_pki
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Whole PKI in one call
      etcdtls.cluster.etcd_pki:
        path: "{{ dir }}"
        members: "{{ members }}"
"""

CHAIN_PLAY = """
- name: community.crypto chain
  hosts: localhost
  gather_facts: false
  tasks:
    - name: CA key
      community.crypto.openssl_privatekey:
        path: "{{ dir }}/ca.key"
        type: ECC
        curve: secp256r1
    - name: CA CSR
      community.crypto.openssl_csr_pipe:
        privatekey_path: "{{ dir }}/ca.key"
        common_name: etcd-ca
        basic_constraints: ["CA:TRUE"]
        basic_constraints_critical: true
        key_usage: [keyCertSign, cRLSign]
        key_usage_critical: true
        create_subject_key_identifier: true
      register: ca_csr
    - name: CA certificate
      community.crypto.x509_certificate:
        path: "{{ dir }}/ca.crt"
        csr_content: "{{ ca_csr.csr }}"
        privatekey_path: "{{ dir }}/ca.key"
        provider: selfsigned
        selfsigned_not_after: "+3650d"
    - name: Leaf keys
      community.crypto.openssl_privatekey:
        path: "{{ dir }}/{{ item.id }}.key"
        type: ECC
        curve: secp256r1
      loop: "{{ leaves }}"
    - name: Leaf CSRs
      community.crypto.openssl_csr_pipe:
        privatekey_path: "{{ dir }}/{{ item.id }}.key"
        common_name: "{{ item.cn }}"
        subject_alt_name: "{{ item.sans }}"
        extended_key_usage: "{{ item.eku }}"
        key_usage: [digitalSignature]
        key_usage_critical: true
      loop: "{{ leaves }}"
      register: leaf_csrs
    - name: Leaf certificates
      community.crypto.x509_certificate:
        path: "{{ dir }}/{{ item.item.id }}.crt"
        csr_content: "{{ item.csr }}"
        provider: ownca
        ownca_path: "{{ dir }}/ca.crt"
        ownca_privatekey_path: "{{ dir }}/ca.key"
        ownca_not_after: "+365d"
      loop: "{{ leaf_csrs.results }}"
"""


def chain_leaves(count):
    leaves = []
    for i in range(1, count + 1):
        ip = "10.0.0.%d" % i
        server_sans = ["DNS:etcd%d" % i, "DNS:localhost", "IP:" + ip, "IP:127.0.0.1", "IP:::1"]
        for kind, sans in (("server", server_sans), ("peer", ["DNS:etcd%d" % i, "IP:" + ip])):
            leaves.append(
                {"id": "etcd%d-%s" % (i, kind), "cn": "etcd%d" % i, "sans": sans, "eku": ["serverAuth", "clientAuth"]}
            )
    leaves.append({"id": "admin", "cn": "root", "sans": [], "eku": ["clientAuth"]})
    return leaves


def playbook(play, extra_vars, workdir):
    import json

    path = os.path.join(workdir, "play.yml")
    with open(path, "w") as handle:
        handle.write(play)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"), ANSIBLE_LOCALHOST_WARNING="false")
    env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "false"
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i",
        "localhost,",
        "-c",
        "local",
        "-e",
        json.dumps(dict(extra_vars, ansible_python_interpreter=sys.executable)),
        path,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("playbook failed:\n%s\n%s" % (proc.stdout[-3000:], proc.stderr[-3000:]))
    return elapsed


def best_of(runs, fn):
    return min(fn() for _ in range(runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,7,15")
    parser.add_argument("--runs", type=int, default=3, help="best of N for the in-process module time")
    args = parser.parse_args()
    print("%-8s %8s %8s %10s %12s %7s" % ("members", "certs", "module", "e2e", "chain", "ratio"))
    for size in [int(s) for s in args.sizes.split(",")]:
        work = tempfile.mkdtemp(prefix="pki-bench-")
        try:

            def module_time(size=size, work=work):
                target = tempfile.mkdtemp(dir=work)
                settings = pki.PkiSettings(target)
                parsed = pki_input.parse_members(members(size))
                start = time.perf_counter()
                pki.ensure_pki(settings, parsed, [])
                return time.perf_counter() - start

            module = best_of(args.runs, module_time)
            e2e = playbook(OUR_PLAY, {"dir": os.path.join(work, "ours"), "members": members(size)}, work)
            chain_dir = os.path.join(work, "chain")
            os.makedirs(chain_dir)
            chain = playbook(CHAIN_PLAY, {"dir": chain_dir, "leaves": chain_leaves(size)}, work)
            print("%-8d %8d %7.3fs %9.2fs %11.2fs %6.1fx" % (size, 2 * size + 2, module, e2e, chain, chain / e2e))
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
