# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PKI directory is transactional even when the run is killed, taken by one run at a time, and trusts no file in
it unchecked."""

import datetime
import json
import os
import shutil
import subprocess
import sys

import pytest
from test_pki import MEMBERS, NOW, files_state, run

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki_layout, pki_store
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

# A run of ensure_pki in a process of its own, killed with os._exit (as Ctrl-C kills Ansible's worker: no finally,
# no rollback) right after its Nth change to the disk (a file created, replaced, removed or chmod-ed).
KILLED_RUN = r"""
import datetime, json, os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "collections"))
from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_input
path, after, request = sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
count = [0]
def counted(function):
    def call(*args, **kwargs):
        value = function(*args, **kwargs)
        count[0] += 1
        if count[0] == after:
            os._exit(9)
        return value
    return call
for name in ("replace", "unlink", "chmod", "mkdir", "rmdir", "fchmod"):
    setattr(os, name, counted(getattr(os, name)))
now = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)
pki.ensure_pki(pki.PkiSettings(path, **request), pki_input.parse_members(json.loads(sys.argv[5])), [], now=now)
os._exit(0)
"""


def killed_run(path, after, **request):
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, ROOT, str(path), str(after), json.dumps(request), json.dumps(MEMBERS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 9), proc.stderr
    return proc.returncode == 9


def consistent(path, phase=0):
    """What a finished run leaves: a rerun changes nothing, every leaf belongs to the CA that issues, the peer CA is
    there, and the rotation phase and bundles agree."""
    result = run(path, clients=[])
    assert not result.changed, (result.issued, result.fixed)
    assert os.path.exists(os.path.join(path, "peer-ca.crt")), "a fresh PKI always has its peer CA"
    assert not os.path.exists(os.path.join(path, pki_store.JOURNAL))
    assert not [name for name in os.listdir(path) if name.startswith(pki_store.STAGING_PREFIX)]
    if phase:
        with open(os.path.join(path, pki_layout.ROTATION_FILE)) as handle:
            assert json.load(handle)["phase"] == phase
        with open(os.path.join(path, pki_layout.BUNDLE), "rb") as handle:
            assert handle.read().count(b"BEGIN CERTIFICATE") == 2


def state(path):
    return {name: value for name, value in files_state(path).items()}


@pytest.mark.parametrize(
    "before, request_",
    [
        # A fresh PKI: the CA, the peer CA, every member's server and peer certificate, the admin's.
        (None, {}),
        # The CA rotation's first step on a deployed PKI: new CAs, the trust bundles, the phase file.
        ("built", {"ca_rotation": "trust"}),
        # Every certificate re-issued with a new key.
        ("built", {"reissue": ["all"], "regenerate_keys": True}),
    ],
)
def test_a_run_killed_after_any_change_is_finished_or_undone_by_the_next(tmp_path, before, request_):
    template = tmp_path / "template"
    if before:
        run(template, clients=[])
    after, finished, again = 1, False, "reissue" in request_
    while not finished:
        assert after < 200, "the run never finished"
        path = tmp_path / ("run-%d" % after)
        if before:
            shutil.copytree(str(template), str(path))
        start = state(path) if path.exists() else None
        killed = killed_run(path, after, **request_)
        if killed:
            # As before (but for what the commit staged), as after (its journal already removed: the rerun issues
            # nothing), or a journal that the next run finishes before anything else.
            journaled = pki_store.pending(str(path))
            left = {k: v for k, v in state(path).items() if not k.startswith(pki_store.STAGING_PREFIX)}
            result = run(path, clients=[], **request_)
            if journaled:
                assert "finished the commit an interrupted run left" in result.fixed[0]["reason"]
                # (A re-issue on request re-issues again, whatever the state.)
                assert again or not result.issued, "killed after change %d: the journal finished, not redone" % after
            elif start is not None and left != start:
                assert again or not result.issued, "killed after change %d: neither as before nor as after" % after
        consistent(str(path), phase=1 if "ca_rotation" in request_ else 0)
        finished = not killed
        after += 1
    assert after > 10, "the run made fewer changes than a PKI has files"


def test_a_second_run_is_refused_while_one_holds_the_directory(tmp_path):
    run(tmp_path / "pki", clients=[])
    with pki_store.locked(str(tmp_path / "pki")), pytest.raises(EtcdTLSError) as caught:
        run(tmp_path / "pki", clients=[])
    assert "is in use by another run (pid %d on " % os.getpid() in caught.value.msg
    assert not run(tmp_path / "pki", clients=[]).changed, "the lock is released with its holder"


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_a_link_or_a_fifo_in_the_pki_is_refused(tmp_path, kind):
    path = tmp_path / "pki"
    run(path, clients=[])
    target = path / "clients" / "admin.key"
    target.unlink()
    if kind == "symlink":
        target.symlink_to(tmp_path / "elsewhere.key")
    else:
        os.mkfifo(str(target))
    with pytest.raises(EtcdTLSError) as caught:
        run(path, clients=[])
    assert "%s is %s" % (target, "a symbolic link" if kind == "symlink" else "neither a file nor a directory") in (
        caught.value.msg
    )


def test_a_permission_problem_is_an_error_naming_the_path_not_a_traceback(tmp_path, monkeypatch):
    """This runs as root, whom modes do not stop: the refusal of the file system is made by hand."""
    path = tmp_path / "pki"
    run(path, clients=[])
    real_lstat = os.lstat

    def denied(name, *args, **kwargs):
        if str(name).endswith("server.key"):
            raise PermissionError(13, "Permission denied", str(name))
        return real_lstat(name, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", denied)
    with pytest.raises(EtcdTLSError) as caught:
        run(path, clients=[])
    assert caught.value.msg.startswith("%s/members/x-k3s-m-" % path)
    assert caught.value.msg.endswith("/server.key: Permission denied")


def test_rotation_pairs_must_match_and_the_bundle_is_reread(tmp_path):
    path = tmp_path / "pki"
    run(path, clients=[])
    run(path, clients=[], ca_rotation="trust")
    # A bundle holding a stranger's CA beside the two: written again with exactly the CAs of the phase.
    stranger = tmp_path / "stranger"
    run(stranger, members=[{"name": "x", "ips": ["10.9.9.9"]}], clients=[])
    with open(str(path / pki_layout.BUNDLE), "ab") as handle:
        handle.write((stranger / "ca.crt").read_bytes())
    result = run(path, clients=[], ca_rotation="trust")
    assert any(item["path"].endswith(pki_layout.BUNDLE) for item in result.fixed)
    assert (path / pki_layout.BUNDLE).read_bytes().count(b"BEGIN CERTIFICATE") == 2
    # ca-next.key swapped for another key: refused, naming the pair.
    shutil.copy(str(stranger / "ca.key"), str(path / "ca-next.key"))
    with pytest.raises(EtcdTLSError) as caught:
        run(path, clients=[], ca_rotation="trust")
    assert "ca-next.key does not belong to %s/ca-next.crt" % path in caught.value.msg


def test_a_certificate_not_valid_yet_is_reissued_and_a_ca_not_valid_yet_refused(tmp_path):
    """A PKI made while the controller's clock ran two hours ahead: every leaf starts in the future (past the hour of
    back-dating); the next run at the right time re-issues them, but cannot re-issue the CA."""
    path = tmp_path / "pki"
    ahead = NOW + datetime.timedelta(hours=2)
    run(path, clients=[], now=ahead)
    with pytest.raises(EtcdTLSError) as caught:
        run(path, clients=[])
    assert "ca.crt is not valid until 2026-11-23T13:00:00Z" in caught.value.msg
    # With a CA made at the right time, the leaves made while the clock ran ahead are re-issued.
    fresh = tmp_path / "fresh"
    run(fresh, clients=[])
    run(fresh, clients=[], now=ahead, reissue=["all"])
    result = run(fresh, clients=[])
    assert result.issued and all("not valid until" in item["reason"] for item in result.issued), result.issued


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "remove", "path": "../outside"}],
        [{"op": "remove", "path": "/etc/passwd"}],
        [{"op": "write", "path": "ca.crt", "staged": "../elsewhere"}],
        [{"op": "mode", "path": "members/../../x", "mode": 511}],
        {"not": "a list"},
    ],
)
def test_a_journal_never_reaches_outside_the_pki(tmp_path, ops):
    path = tmp_path / "pki"
    run(path, clients=[])
    (tmp_path / "outside").write_text("keep")
    (path / pki_store.JOURNAL).write_text(json.dumps({"ops": ops}))
    with pytest.raises(EtcdTLSError) as caught:
        run(path, clients=[])
    assert "restore the PKI" in caught.value.msg
    assert (tmp_path / "outside").read_text() == "keep"
