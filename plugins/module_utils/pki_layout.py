# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's PKI layout and the phases of a CA rotation: the one owner of both.

It imports nothing but the standard library, so the preflight (which judges the PKI before
``cryptography`` is needed) reads the same names as ``pki`` and ``ca_rotation`` that write them:

    ca.crt, ca.key                        the CA of the client port (server and client certificates)
    peer-ca.crt, peer-ca.key              the CA of the peer port (peer certificates)
    members/<name>/server.crt, .key       client-facing certificate of a member
    members/<name>/peer.crt, .key         peer certificate of a member
    clients/<name>.crt, .key              client certificates (admin always)
    ca-next.*, peer-ca-next.*             during a CA rotation: the CAs that will issue
    ca-previous.*, peer-ca-previous.*     during a CA rotation: the CAs that issued before
    ca-bundle.crt, peer-ca-bundle.crt     during a CA rotation: the old and the new CA, trusted together
    ca-rotation.json                      the phase of a CA rotation under way
    retired/<serial>/ca.crt, .key         CAs a finished rotation retired

A certificate's *id* is its path without the extension (``members/etcd1/server``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

DIR_MODE = 0o700
KEY_MODE = 0o600
CERT_MODE = 0o644

CA = "ca"
PEER_CA = "peer-ca"
NEXT = "-next"
PREVIOUS = "-previous"
BUNDLE = "ca-bundle.crt"
PEER_BUNDLE = "peer-ca-bundle.crt"
ROTATION_FILE = "ca-rotation.json"
RETIRED = "retired"
MEMBERS = "members"
CLIENTS = "clients"
MEMBER_CERTS = ("server", "peer")


def cert_file(name):
    return name + ".crt"


def key_file(name):
    return name + ".key"


CA_CERT = cert_file(CA)
CA_KEY = key_file(CA)
PEER_CA_CERT = cert_file(PEER_CA)

# Every CA file of the PKI: the current CAs, and those of a CA rotation under way.
KNOWN_CA_FILES = tuple(cert_file(ca + stage) for ca in (CA, PEER_CA) for stage in ("", NEXT, PREVIOUS))


def member_cert_id(member, kind):
    """``members/<member>/<kind>``, kind being ``server`` or ``peer``."""
    return "/".join((MEMBERS, member, kind))


def client_cert_id(client):
    return "/".join((CLIENTS, client))


def retired_dir(serial):
    """Where a CA with this serial (an int) goes when a rotation retires it."""
    return os.path.join(RETIRED, "%x" % serial)


def layout(path, cert_ids, trust_file=CA_CERT, peer_trust_file=PEER_CA_CERT):
    """Where every file of the PKI in ``path`` lives, for every consumer: ``{"ca": {"cert"}, "peer_ca": {"cert"},
    "members": {name: {"server": {"cert", "key"}, "peer": {...}}}, "clients": {name: {"cert", "key"}}}``."""
    found = {
        "ca": {"cert": os.path.join(path, trust_file)},
        "members": {},
        "clients": {},
        "peer_ca": {"cert": os.path.join(path, peer_trust_file)},
    }
    for cert_id in cert_ids:
        pair = {"cert": os.path.join(path, cert_file(cert_id)), "key": os.path.join(path, key_file(cert_id))}
        parts = cert_id.split("/")
        if parts[0] == MEMBERS:
            found["members"].setdefault(parts[1], {})[parts[2]] = pair
        else:
            found["clients"][parts[1]] = pair
    return found


def bundles(found, admin):
    """Each named client's bundle (every client in the ``layout`` but ``admin``), as the files to hand over:
    ``{client, src, name, mode}``. Its CA file is the layout's trust file (the trust bundle during a CA rotation),
    which its owner always finds as ``ca.crt``."""
    files = []
    for client, pair in found["clients"].items():
        if client == admin:
            continue
        files.extend(
            [
                {"client": client, "src": found["ca"]["cert"], "name": CA_CERT, "mode": "%04o" % CERT_MODE},
                {
                    "client": client,
                    "src": pair["cert"],
                    "name": os.path.basename(pair["cert"]),
                    "mode": "%04o" % CERT_MODE,
                },
                {
                    "client": client,
                    "src": pair["key"],
                    "name": os.path.basename(pair["key"]),
                    "mode": "%04o" % KEY_MODE,
                },
            ]
        )
    return files


def directories(path, cert_ids):
    """The PKI directory and every directory its certificates live in, parents first."""
    dirs = [path]
    for cert_id in cert_ids:
        parts = cert_id.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = os.path.join(path, *parts[:depth])
            if directory not in dirs:
                dirs.append(directory)
    return dirs


# --------------------------------------------------------------------------- CA rotation phases
# The phase on disk (ca-rotation.json's "phase") is the index in PHASES; "none" is no rotation.
#   trust  ca-next and peer-ca-next made; the ports trust the bundles (old + next); the old CAs still issue.
#   issue  the next CAs issue (as ca, peer-ca), the old ones kept as -previous; every leaf re-issued.
#   drop   only the new CAs are trusted; the previous ones stay until "finish".
# "finish" retires the previous CAs and goes back to "none". Each step is accepted in its own phase
# again (a resumed run) and from the phase before it, never otherwise.
PHASES = ("none", "trust", "issue", "drop")
FINISH = "finish"
STEPS = (*PHASES[1:], FINISH)


def phase_of(step):
    """The phase number a rotation step leads to (``finish`` leads back to 0)."""
    return 0 if step == FINISH else PHASES.index(step)


def may_follow(phase, wanted):
    """Whether phase ``wanted`` may follow ``phase``: the same again, or the next one."""
    return wanted in (phase, (phase + 1) % len(PHASES))


def check_state(state):
    """(phase, peer_from) of a parsed ca-rotation.json; None when it is not a state this collection wrote."""
    try:
        phase, peer_from = state["phase"], state.get("peer_from", CA)
    except (KeyError, TypeError, AttributeError):
        return None
    if not isinstance(phase, int) or isinstance(phase, bool) or not 0 <= phase < len(PHASES):
        return None
    if peer_from not in (CA, PEER_CA):
        return None
    return phase, peer_from
