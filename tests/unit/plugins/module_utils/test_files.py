# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd_files' logic on the real filesystem."""

import base64
import grp
import hashlib
import os
import pwd
import stat

import pytest

from ansible_collections.etcdtls.cluster.plugins.module_utils import files
from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def inline(dest, text, **extra):
    spec = {"dest": str(dest), "content": base64.b64encode(text.encode()).decode(), "mode": "0600"}
    spec.update(owner=USER, group=GROUP, **extra)
    return spec


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_creates_directories_and_files_then_changes_nothing(tmp_path):
    pki = tmp_path / "etc" / "pki"
    dirs = [{"path": str(pki), "mode": "0700", "owner": USER, "group": GROUP}]
    specs = [inline(pki / "server.key", "KEY"), inline(pki / "ca.crt", "CA", restart=True, mode="0644")]
    first = files.ensure_all(dirs, specs, check_mode=False)
    assert first["changed"] and first["restart_needed"]
    assert [f["reason"] for f in first["files"]] == ["missing", "missing"]
    assert (pki / "server.key").read_text() == "KEY" and mode_of(pki / "server.key") == 0o600
    assert mode_of(pki / "ca.crt") == 0o644 and mode_of(pki) == 0o700
    second = files.ensure_all(dirs, specs, check_mode=False)
    assert not second["changed"] and not second["restart_needed"]


def test_check_mode_writes_nothing(tmp_path):
    target = tmp_path / "conf.yml"
    result = files.ensure_all([], [inline(target, "a: 1\n", diff=True)], check_mode=True)
    assert result["changed"] and not target.exists()
    assert result["files"][0]["diff"]["after"] == "a: 1\n"


def test_check_mode_with_an_owner_still_to_be_created(tmp_path):
    target = tmp_path / "server.key"
    files.ensure_all([], [inline(target, "K")], check_mode=False)
    spec = dict(inline(target, "K"), owner="etcdtls-no-user", group="etcdtls-no-group")
    result = files.ensure_all([{"path": str(tmp_path), "owner": "etcdtls-no-user"}], [spec], check_mode=True)
    assert result["changed"] and not result["files"][0]["content_changed"]
    assert result["files"][0]["reason"] == (
        "owner etcdtls-no-user does not exist yet; group etcdtls-no-group does not exist yet"
    )
    assert result["directories"][0]["reason"] == "owner etcdtls-no-user does not exist yet"


def test_content_change_restart_flag_and_diff(tmp_path):
    target = tmp_path / "conf.yml"
    files.ensure_all([], [inline(target, "a: 1\n", restart=True)], check_mode=False)
    result = files.ensure_all([], [inline(target, "a: 2\n", restart=True, diff=True)], check_mode=False)
    assert result["restart_needed"]
    assert result["files"][0]["diff"] == {
        "before_header": str(target),
        "after_header": str(target),
        "before": "a: 1\n",
        "after": "a: 2\n",
    }
    # A key never shows a diff unless asked, and etcd_files never asks for keys.
    result = files.ensure_all([], [inline(target, "SECRET")], check_mode=False)
    assert "diff" not in result["files"][0]


def test_mode_fix_is_a_change_but_not_a_restart(tmp_path):
    target = tmp_path / "peer.key"
    files.ensure_all([], [inline(target, "K", restart=True)], check_mode=False)
    os.chmod(str(target), 0o644)
    result = files.ensure_all([], [inline(target, "K", restart=True)], check_mode=False)
    assert result["changed"] and not result["restart_needed"]
    assert result["files"][0]["reason"] == "mode 0644, wanted 0600"
    assert mode_of(target) == 0o600


def test_large_file_needs_transfer_then_installs_from_src(tmp_path):
    source = tmp_path / "upload"
    source.write_bytes(b"\x7fELF" + b"x" * 1000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    dest = tmp_path / "etcd"
    spec = {"dest": str(dest), "sha256": digest, "mode": "0755", "owner": USER, "group": GROUP, "restart": True}
    first = files.ensure_all([], [spec], check_mode=False)
    assert first["needs_transfer"] == [str(dest)] and not dest.exists()
    second = files.ensure_all([], [dict(spec, src=str(source))], check_mode=False)
    assert second["restart_needed"] and dest.read_bytes() == source.read_bytes() and mode_of(dest) == 0o755
    assert files.ensure_all([], [spec], check_mode=False)["changed"] is False
    with pytest.raises(EtcdTLSError, match="transferred file does not have sha256"):
        files.ensure_all([], [dict(spec, sha256="0" * 64, src=str(source))], check_mode=False)


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "server.crt"
    files.ensure_all([], [inline(target, "OLD")], check_mode=False)

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        files.ensure_all([], [inline(target, "NEW")], check_mode=False)
    monkeypatch.undo()
    assert target.read_text() == "OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["server.crt"]


def test_clear_errors(tmp_path):
    with pytest.raises(EtcdTLSError, match="user no-such-user-here does not exist"):
        files.ensure_all([], [dict(inline(tmp_path / "x", "x"), owner="no-such-user-here")], check_mode=False)
    with pytest.raises(EtcdTLSError, match=r"directory .*/missing does not exist"):
        files.ensure_all([], [inline(tmp_path / "missing" / "x", "x")], check_mode=False)
    (tmp_path / "plain").write_text("")
    with pytest.raises(EtcdTLSError, match="exists and is not a directory"):
        files.ensure_all([{"path": str(tmp_path / "plain")}], [], check_mode=False)


def test_process_start_time_and_stale_process(tmp_path):
    import shutil
    import subprocess
    import time

    # A process with a name of its own (comm is the executable's name, 15 characters at most).
    sleeper = tmp_path / "etcdtls-sleepr"
    shutil.copy("/bin/sleep", str(sleeper))
    target = tmp_path / "conf.yml"
    files.ensure_all([], [inline(target, "a: 1\n", restart=True)], check_mode=False)
    # A process started after the file was written runs with the current content...
    proc = subprocess.Popen([str(sleeper), "30"])
    try:
        time.sleep(0.2)
        fresh = files.ensure_all(
            [], [inline(target, "a: 1\n", restart=True)], check_mode=False, process="etcdtls-sleepr"
        )
        assert fresh["process_started"] is not None and abs(fresh["process_started"] - time.time()) < 60
        assert fresh["stale_process"] is False
        # ...until the file changes under it, also when nothing changes in the run that looks.
        time.sleep(files.STALE_MARGIN + 0.1)
        files.ensure_all([], [inline(target, "a: 2\n", restart=True)], check_mode=False)
        later = files.ensure_all(
            [], [inline(target, "a: 2\n", restart=True)], check_mode=False, process="etcdtls-sleepr"
        )
        assert later["changed"] is False and later["stale_process"] is True
    finally:
        proc.kill()
        proc.wait()
    assert files.process_started("no-such-process-name") is None


def test_owner_and_mode_are_set_on_the_descriptor_not_through_a_swapped_symlink(tmp_path, monkeypatch):
    """A symlink swapped in for the temp file after it was written must not redirect chown/chmod."""
    victim = tmp_path / "victim"
    victim.write_text("do not touch")
    os.chmod(str(victim), 0o600)
    dest = tmp_path / "server.crt"
    real_fsync = os.fsync
    swapped = []

    def fsync_then_swap(fd):
        real_fsync(fd)
        if not swapped:
            tmp = next(name for name in os.listdir(str(tmp_path)) if name.startswith(".server.crt."))
            os.unlink(str(tmp_path / tmp))
            os.symlink(str(victim), str(tmp_path / tmp))
            swapped.append(tmp)

    monkeypatch.setattr(os, "fsync", fsync_then_swap)
    with pytest.raises(EtcdTLSError, match="was replaced while being written"):
        files.atomic_write(str(dest), b"CERT", 0o644, os.getuid(), os.getgid())
    monkeypatch.undo()
    assert swapped
    assert mode_of(victim) == 0o600 and victim.read_text() == "do not touch"
    assert not os.path.lexists(str(dest))


def test_a_symlinked_destination_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("KEY")
    os.chmod(str(victim), 0o600)
    dest = tmp_path / "server.key"
    os.symlink(str(victim), str(dest))
    result = files.ensure_all([], [inline(dest, "KEY", mode="0640")], check_mode=False)
    assert result["files"][0]["reason"] == "a symbolic link, replaced by the file"
    assert not os.path.islink(str(dest)) and dest.read_text() == "KEY" and mode_of(dest) == 0o640
    assert mode_of(victim) == 0o600


def test_a_symlinked_directory_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "pki"
    os.symlink(str(real), str(link))
    with pytest.raises(EtcdTLSError, match="is a symbolic link"):
        files.ensure_all([{"path": str(link), "mode": "0750"}], [], check_mode=False)


def test_diff_is_refused_on_a_key(tmp_path):
    spec = inline(tmp_path / "server.key", "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n", diff=True)
    with pytest.raises(EtcdTLSError, match="holds a private key, so it must never be shown in a diff"):
        files.ensure_all([], [spec], check_mode=True)
    assert not (tmp_path / "server.key").exists()


def test_keys_are_written_before_their_certificates(tmp_path, monkeypatch):
    order = []
    real = files.atomic_write

    def recording(path, *args, **kwargs):
        order.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "atomic_write", recording)
    key = "-----BEGIN EC PRIVATE KEY-----\nk\n-----END EC PRIVATE KEY-----\n"
    specs = [inline(tmp_path / "server.crt", "CERT"), inline(tmp_path / "server.key", key)]
    result = files.ensure_all([], specs, check_mode=False)
    assert order == ["server.key", "server.crt"]
    assert [f["dest"] for f in result["files"]] == [str(tmp_path / "server.key"), str(tmp_path / "server.crt")]


def test_restart_worthy_files_wait_for_their_turn(tmp_path):
    conf = tmp_path / "conf.yml"
    conf.write_text("old\n")
    specs = [inline(conf, "new\n", restart=True, mode="0640"), inline(tmp_path / "server.crt", "CERT")]
    result = files.ensure_all([], specs, check_mode=False, defer_restart=True)
    assert result["deferred"] == [str(conf)] and result["restart_needed"]
    assert conf.read_text() == "old\n"
    deferred = next(f for f in result["files"] if f["dest"] == str(conf))
    assert deferred["changed"] is False and "diff" not in deferred
    assert (tmp_path / "server.crt").read_text() == "CERT"
    turn = files.ensure_all([], specs[:1], check_mode=False)
    assert conf.read_text() == "new\n" and turn["restart_needed"] and turn["deferred"] == []


def test_lines_that_need_no_restart(tmp_path):
    """etcd reads initial-cluster* once in its life: a change there alone is written now, with no restart and the
    file's time kept (the running process is not older than what it runs with); any other change still waits."""
    conf = tmp_path / "conf.yml"
    conf.write_text("name: a\ninitial-cluster: a=x\ninitial-cluster-state: new\n")
    os.utime(conf, (1000000000, 1000000000))
    ignore = "initial-cluster(-state)?:"
    spec = inline(
        conf, "name: a\ninitial-cluster: a=x,b=y\ninitial-cluster-state: new\n", restart=True, restart_ignore=ignore
    )
    result = files.ensure_all([], [spec], check_mode=False, defer_restart=True)
    assert (result["restart_needed"], result["deferred"], result["changed"]) == (False, [], True)
    assert result["files"][0]["reason"] == "content differs in lines that need no restart"
    assert conf.read_text().endswith("a=x,b=y\ninitial-cluster-state: new\n")
    assert os.stat(conf).st_mtime == 1000000000
    # Another line changes: a restart, deferred to the member's turn, as before.
    other = inline(
        conf, "name: b\ninitial-cluster: a=x,b=y\ninitial-cluster-state: new\n", restart=True, restart_ignore=ignore
    )
    result = files.ensure_all([], [other], check_mode=False, defer_restart=True)
    assert result["restart_needed"] and result["deferred"] == [str(conf)]
    # Without restart_ignore the same change as the first is a restart.
    plain = inline(conf, "name: a\ninitial-cluster: a=x\ninitial-cluster-state: existing\n", restart=True)
    assert files.ensure_all([], [plain], check_mode=False, defer_restart=True)["restart_needed"]


def test_a_large_files_digest_is_worked_out_once_while_the_file_stays_the_same(tmp_path, monkeypatch):
    binary = tmp_path / "etcd"
    binary.write_bytes(b"etcd v1" * 1000)
    reads = []
    real = files.sha256_of
    monkeypatch.setattr(files, "sha256_of", lambda path: reads.append(path) or real(path))
    expected = hashlib.sha256(binary.read_bytes()).hexdigest()
    # Check mode keeps nothing; then the first real call keeps it, and the next reads no binary.
    assert files.cached_sha256_of(str(binary), write=False) == expected
    assert not (tmp_path / ".etcd.sha256").exists()
    assert files.cached_sha256_of(str(binary)) == expected and len(reads) == 2
    assert files.cached_sha256_of(str(binary)) == expected and len(reads) == 2
    # A change of content (same size, mtime put back as it was) moves the ctime: worked out again.
    before = os.stat(binary)
    binary.write_bytes(b"etcd v2" * 1000)
    os.utime(binary, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert files.cached_sha256_of(str(binary)) == hashlib.sha256(b"etcd v2" * 1000).hexdigest() and len(reads) == 3
    # A digest file written by someone else for this very file is not taken on trust when it is not a digest.
    cache = tmp_path / ".etcd.sha256"
    key = cache.read_text().rpartition(" ")[0]
    cache.write_text(key + " not-a-digest\n")
    assert files.cached_sha256_of(str(binary)) == hashlib.sha256(b"etcd v2" * 1000).hexdigest() and len(reads) == 4
    assert cache.read_text().endswith(hashlib.sha256(b"etcd v2" * 1000).hexdigest() + "\n")
    # A cache directory that cannot be written still gives the digest, and leaves no temp file.
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(PermissionError(13, "denied")))
    cache.unlink()
    assert files.cached_sha256_of(str(binary)) == hashlib.sha256(b"etcd v2" * 1000).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etcd"]


def test_a_ctrl_c_while_the_digest_is_kept_leaves_no_temp_file(tmp_path, monkeypatch):
    binary = tmp_path / "etcd"
    binary.write_bytes(b"etcd" * 1000)
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        files.cached_sha256_of(str(binary))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["etcd"]
