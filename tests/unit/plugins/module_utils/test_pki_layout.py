# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PKI layout's one owner: the names the preflight reads are those the PKI writes."""

import json
import os

import pytest
from test_pki import MEMBERS, run

from ansible_collections.etcdtls.cluster.plugins.module_utils import pki, pki_layout, pki_store
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError


def test_every_ca_file_a_rotation_writes_is_one_the_preflight_knows(tmp_path):
    path = str(tmp_path / "pki")
    run(path)
    run(path, ca_rotation="trust")
    run(path, ca_rotation="issue")
    written = set(name for name in os.listdir(path) if name.endswith(".crt") and "bundle" not in name)
    assert written == set(pki_layout.KNOWN_CA_FILES) - set(["peer-ca-next.crt", "ca-next.crt"])
    known, peer = pki_store.controller_known(path)
    assert len(known) == 4 and peer is not None
    # The PKI module returns the same, what the compliance check lets members trust.
    assert run(path, ca_rotation="issue").known_cas == sorted(known)


def test_known_cas_say_what_the_pki_holds_after_the_run_in_check_mode_too(tmp_path):
    path = str(tmp_path / "pki")
    assert len(run(path, check_mode=True).known_cas) == 2
    assert not os.path.exists(path)
    made = run(path).known_cas
    assert len(made) == 2 and made == sorted(pki_store.controller_known(path)[0])
    planned = run(path, ca_rotation="trust", check_mode=True).known_cas
    assert len(planned) == 4 and set(made) < set(planned)
    assert run(path).known_cas == made


def test_the_layout_names_every_leaf_by_its_id(tmp_path):
    result = run(str(tmp_path / "pki"))
    members = result.layout["members"]
    assert sorted(members) == sorted(member["name"] for member in MEMBERS)
    name = MEMBERS[0]["name"]
    assert members[name]["peer"]["key"] == str(tmp_path / "pki" / "members" / name / "peer.key")
    assert result.layout["clients"]["admin"]["cert"] == str(tmp_path / "pki" / "clients" / "admin.crt")
    assert result.layout["peer_ca"]["cert"] == str(tmp_path / "pki" / "peer-ca.crt")
    assert pki_layout.member_cert_id(name, "server") == "members/%s/server" % name


def test_steps_follow_each_other_in_order():
    assert pki_layout.STEPS == ("trust", "issue", "drop", "finish")
    phases = [pki_layout.phase_of(step) for step in pki_layout.STEPS]
    assert phases == [1, 2, 3, 0]
    previous = 0
    for phase in phases:
        assert pki_layout.may_follow(previous, phase) and pki_layout.may_follow(phase, phase)
        previous = phase
    assert not pki_layout.may_follow(0, 2) and not pki_layout.may_follow(1, 3) and not pki_layout.may_follow(3, 1)


@pytest.mark.parametrize(
    "state",
    [{"phase": True}, {"phase": 1.0}, {"phase": 4}, {"phase": -1}, {"phase": 1, "peer_from": "x"}, [], {}, "1"],
)
def test_a_state_this_collection_did_not_write_is_refused(state, tmp_path):
    assert pki_layout.check_state(state) is None
    path = tmp_path / "pki"
    run(str(path))
    (path / pki_layout.ROTATION_FILE).write_text(json.dumps(state))
    with pytest.raises(Exception, match="not a CA rotation state this collection wrote"):
        run(str(path))


def test_a_state_it_wrote_is_read():
    assert pki_layout.check_state({"phase": 2, "peer_from": "peer-ca"}) == (2, "peer-ca")
    assert pki_layout.check_state({"phase": 3}) == (3, "ca")


def test_only_the_ca_certificates_are_read_for_a_compliance_check(tmp_path):
    path = tmp_path / "pki"
    made = run(str(path)).known_cas
    params = dict((name, spec.get("default")) for name, spec in pki.ARGUMENT_SPEC.items())
    params.update(path=str(path), members=[], only_known_cas=True)
    # Neither key is read and no lock is taken: with the keys and the lock file gone, the answer is the same and
    # nothing is written.
    for name in ("ca.key", "peer-ca.key", pki_store.LOCK_FILE):
        if (path / name).exists():
            (path / name).unlink()
    before = sorted(os.listdir(str(path)))
    assert pki.run(params) == {"changed": False, "known_cas": made, "warnings": []}
    assert sorted(os.listdir(str(path))) == before
    good = (path / "ca.crt").read_bytes()
    (path / "ca.crt").write_text("not a pem")
    with pytest.raises(EtcdTLSError, match="holds no readable CA certificate"):
        pki.run(params)
    (path / "ca.crt").write_bytes(good)
    (path / pki_store.JOURNAL).write_text("{}")
    with pytest.raises(EtcdTLSError, match="interrupted run left a commit"):
        pki.run(params)
    with pytest.raises(EtcdTLSError, match="there is no PKI in"):
        pki.run(dict(params, path=str(tmp_path / "none")))
