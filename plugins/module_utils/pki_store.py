# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PKI directory on disk: one run at a time, nothing in it taken unchecked, and every change committed so that a
kill at any point (Ctrl-C kills Ansible's worker with os._exit, so no rollback runs) leaves it as before or as after.

A commit is staged first: every new file is written in full into ``.staging-*`` inside the PKI directory. Then one
journal (``.commit.json``, written atomically) lists the renames, removals and modes, with the CA rotation's phase
file last. Only then are the files moved into place. A run killed before the journal exists left the PKI as it was
(the next run removes the staging directory); a run killed after it left a journal, and the next run, before it
reads anything, finishes what the journal says. Renames within one directory tree are atomic, and applying the
journal twice does what applying it once does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import errno
import fcntl
import json
import os
import shutil
import socket
import stat
import tempfile

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError
from ansible_collections.etcdtls.cluster.plugins.module_utils.pki_layout import (
    CA_CERT,
    CA_KEY,
    KNOWN_CA_FILES,
    PEER_CA_CERT,
)
from ansible_collections.etcdtls.cluster.plugins.module_utils.probe import pem_fingerprints

LOCK_FILE = ".lock"
JOURNAL = ".commit.json"
STAGING_PREFIX = ".staging-"
DIR_MODE = 0o700


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(path, create=False):
    """Hold the PKI directory's lock; another run gets an error that says who holds it. A directory that does not
    exist yet is made (0700) only with ``create`` (at commit time: a refused or check-mode run writes nothing), and is
    not locked otherwise."""
    if not os.path.isdir(path):
        if not create:
            yield False
            return
        try:
            os.makedirs(path, DIR_MODE)
        except OSError as exc:
            raise EtcdTLSError("cannot create the PKI directory %s: %s" % (path, exc.strerror)) from None
    lock_path = os.path.join(path, LOCK_FILE)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise EtcdTLSError("cannot open the lock %s: %s" % (lock_path, exc.strerror)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.read(fd, 512).decode("utf-8", "replace").strip() or "an unknown process"
            raise EtcdTLSError(
                "the PKI directory %s is in use by another run (%s): wait until it ends. The lock (%s) is released "
                "when that process ends, so it can never go stale" % (path, holder, lock_path)
            ) from None
        os.ftruncate(fd, 0)
        os.write(
            fd,
            (
                "pid %d on %s since %s"
                % (
                    os.getpid(),
                    socket.gethostname(),
                    datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                )
            ).encode("utf-8"),
        )
        yield True
    finally:
        os.close(fd)


def check_tree(path):
    """Refuse anything in the PKI directory that is neither a regular file nor a directory (a symbolic link, a FIFO,
    a device, a socket): the directory holds only what this collection wrote, and nothing in it is followed."""
    if not os.path.isdir(path):
        return
    for directory, subdirs, names in os.walk(path, onerror=_walk_error):
        for name in subdirs + names:
            full = os.path.join(directory, name)
            try:
                mode = os.lstat(full).st_mode
            except OSError as exc:
                raise EtcdTLSError("%s: %s" % (full, exc.strerror)) from None
            if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                kind = "a symbolic link" if stat.S_ISLNK(mode) else "neither a file nor a directory"
                raise EtcdTLSError(
                    "%s is %s: the PKI directory holds only the files this collection wrote, and follows nothing. "
                    "Move it away (restore the real file from your backup), then run again" % (full, kind)
                )


def _walk_error(exc):
    raise EtcdTLSError("cannot read %s: %s" % (exc.filename, exc.strerror)) from None


def _inside(path, relative, what):
    """``relative`` names a file inside ``path``: a journal never moves, removes or changes anything elsewhere."""
    if not isinstance(relative, str) or os.path.isabs(relative) or ".." in relative.split(os.sep):
        raise EtcdTLSError(
            "%s names %r, which is not a file of the PKI directory: restore the PKI directory from your backup"
            % (what, relative)
        )
    return os.path.join(path, relative)


def _apply(path, ops):
    journal = os.path.join(path, JOURNAL)
    for op in ops:
        target = _inside(path, op.get("path"), journal)
        if op["op"] == "write":
            staged = op.get("staged")
            if not isinstance(staged, str) or not staged.startswith(STAGING_PREFIX):
                raise EtcdTLSError("%s stages %r outside its staging directory: restore the PKI" % (journal, staged))
            source = _inside(path, staged, journal)
            if os.path.lexists(source):
                os.replace(source, target)
        elif op["op"] == "remove":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
        elif op["op"] == "mode" and os.path.lexists(target):
            os.chmod(target, op["mode"])
        _fsync_dir(os.path.dirname(target))


def _clean_staging(path):
    for name in os.listdir(path):
        if name.startswith(STAGING_PREFIX):
            shutil.rmtree(os.path.join(path, name), ignore_errors=True)


def pending(path):
    """Whether an interrupted commit waits in ``path``."""
    return os.path.lexists(os.path.join(path, JOURNAL))


def recover(path):
    """Finish the commit an interrupted run left (its journal), or drop what it staged before its journal. Returns
    what was done, for the result (None when there was nothing to do)."""
    if not os.path.isdir(path):
        return None
    journal = os.path.join(path, JOURNAL)
    done = None
    if os.path.lexists(journal):
        try:
            with open(journal, "rb") as handle:
                ops = json.loads(handle.read().decode("utf-8"))["ops"]
            if not isinstance(ops, list) or not all(isinstance(op, dict) and "op" in op for op in ops):
                raise TypeError("not a list of steps")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise EtcdTLSError(
                "%s is not a commit journal this collection wrote (%s): restore the PKI directory from your backup"
                % (journal, exc)
            ) from None
        _apply(path, ops)
        os.unlink(journal)
        _fsync_dir(path)
        done = "finished the commit an interrupted run left (%d steps)" % len(ops)
    if any(name.startswith(STAGING_PREFIX) for name in os.listdir(path)):
        _clean_staging(path)
        done = done or "removed what an interrupted run had staged before its commit (nothing had changed)"
    return done


def commit(path, directories, files, modes, last=()):
    """Make ``directories``, then write ``files`` ((path, data or None to remove, mode)) and set ``modes`` ((path,
    mode)) through a staged journal, the paths in ``last`` (the phase file) after every other. Paths are absolute,
    inside ``path``."""
    made = []
    for directory in directories:
        if not os.path.isdir(directory):
            try:
                os.mkdir(directory, DIR_MODE)
            except OSError as exc:
                raise EtcdTLSError("cannot create directory %s: %s" % (directory, exc.strerror)) from None
            made.append(directory)
        os.chmod(directory, DIR_MODE)
    staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=path)
    ops, tmp = [], None
    try:
        ordered = [item for item in files if item[0] not in last] + [item for item in files if item[0] in last]
        for index, (target, data, mode) in enumerate(ordered):
            relative = os.path.relpath(target, path)
            if data is None:
                ops.append({"op": "remove", "path": relative})
                continue
            staged = os.path.join(staging, str(index))
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), mode)
                os.fsync(handle.fileno())
            ops.append({"op": "write", "path": relative, "staged": os.path.relpath(staged, path)})
        ops.extend({"op": "mode", "path": os.path.relpath(target, path), "mode": mode} for target, mode in modes)
        _fsync_dir(staging)
        fd, tmp = tempfile.mkstemp(prefix=".commit.", suffix=".tmp", dir=path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps({"ops": ops}).encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, os.path.join(path, JOURNAL))
        _fsync_dir(path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for directory in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        raise
    # From here on the journal holds the change: an interruption is finished by the next run.
    _apply(path, ops)
    os.unlink(os.path.join(path, JOURNAL))
    shutil.rmtree(staging, ignore_errors=True)
    _fsync_dir(path)


def read_pki_file(path):
    """A file of the controller's PKI, or None when there is none. Anything but a regular file (a FIFO would hang
    the read, a directory would be a traceback) and every read error is an EtcdTLSError naming the path."""
    try:
        mode = os.lstat(path).st_mode
        if not stat.S_ISREG(mode):
            raise EtcdTLSError(
                "%s is not a regular file: the PKI directory holds only the files this collection wrote. Move it "
                "away (restore the real file from your backup), then run again" % path
            )
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EtcdTLSError(
            "cannot read %s: %s; run as a user who can read the PKI directory, or fix its owner and modes"
            % (path, exc.strerror)
        ) from None


def controller_ca(pki_dir):
    """Fingerprints of the controller's CA certificate, and whether its key is there."""
    data = read_pki_file(os.path.join(pki_dir, CA_CERT))
    return (pem_fingerprints(data) if data is not None else []), os.path.lexists(os.path.join(pki_dir, CA_KEY))


def controller_known(pki_dir, planned=None):
    """Every CA fingerprint the controller's PKI holds, and that of its peer CA (None without one). ``planned``
    ({path: data, None for a removal}): a run's writes, read instead of the disk, for what it holds once done."""
    known, peer = set(), None
    planned = planned or {}
    for name in KNOWN_CA_FILES:
        path = os.path.join(pki_dir, name)
        data = planned[path] if path in planned else read_pki_file(path)
        if data is None:
            continue
        found = pem_fingerprints(data)
        known.update(found)
        if name == PEER_CA_CERT and found:
            peer = found[0]
    return known, peer
