# -*- coding: utf-8 -*-
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure a set of directories and files on a host in one pass (the etcd_files module's logic).

Each file arrives either with its content (small files: certificates, keys, configs) or with only
its sha256 (large files: binaries), in which case a differing file is reported as needing a
transfer, and installed from ``src`` (a temp file the action plugin uploaded) on the second pass.
Every write is atomic (temp file in the destination directory, then rename), so etcd, which
re-reads its certificates on each connection, never sees a half-written file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import grp
import hashlib
import os
import pwd
import re
import shutil
import stat
import tempfile
import time

from ansible_collections.etcdtls.cluster.plugins.module_utils.errors import EtcdTLSError

MAX_DIFF_BYTES = 64 * 1024
PRIVATE_KEY_MARK = b"PRIVATE KEY-----"
# A process counts as older than a file only by more than this, to absorb clock resolution.
STALE_MARGIN = 1.0


def sha256_of(path):
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def _stat_key(path):
    st = os.stat(path)
    # Any write to the file, a chmod or a touch moves its ctime, which no one can set back: with its device, inode,
    # size and mtime, the file a digest was computed from (an inode number alone repeats across filesystems).
    return "%d %d %d %d %d" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def sha256_cache_of(path):
    """Where cached_sha256_of keeps the digest of ``path``."""
    return os.path.join(os.path.dirname(path), ".%s.sha256" % os.path.basename(path))


def cached_sha256_of(path, write=True):
    """The sha256 of the controller's large file ``path`` (an etcd binary of the release cache), worked out once and
    kept beside it in ``.<name>.sha256`` for as long as the file stays the same one (its inode, size, mtime and ctime
    unchanged): a rerun pushing the same binaries to every member reads them no more. A digest file that does not
    match, or cannot be read or written, is worked out again; it is written whole (temp file, rename) or not at all,
    and never with ``write`` false (check mode)."""
    cache = sha256_cache_of(path)
    key = _stat_key(path)
    try:
        with open(cache) as handle:
            seen_key, _sep, digest = handle.read().strip().rpartition(" ")
        if seen_key == key and re.match(r"^[0-9a-f]{64}$", digest):
            return digest
    except (OSError, UnicodeDecodeError):
        pass
    digest = sha256_of(path)
    # The file changed while it was read: keep nothing.
    if write and digest and _stat_key(path) == key:
        # atomic_write: whole or not at all, and no temp file left behind, not even on Ctrl-C.
        with contextlib.suppress(OSError, EtcdTLSError):
            atomic_write(cache, ("%s %s\n" % (key, digest)).encode("ascii"), mode=0o644)
    return digest


def read_bytes(path):
    """The content of ``path``, or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EtcdTLSError("cannot read %s: %s" % (path, exc.strerror)) from None


def mode_of(path):
    """The permission bits of ``path``, or None when it does not exist."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


class _Missing(int):
    """An owner or group that does not exist yet: in check mode, an earlier task would create it."""

    def __new__(cls, name):
        value = super(_Missing, cls).__new__(cls, -2)
        value.name = name
        return value


def _id(name, database, kind, check_mode):
    """The numeric id of a user or group name (-1: leave as is; _Missing: not there yet, check mode)."""
    if name is None:
        return -1
    try:
        return database(name)
    except KeyError:
        if not check_mode:
            raise EtcdTLSError("%s %s does not exist on this host" % (kind, name)) from None
        return _Missing(name)


def _ids(owner, group, check_mode=False):
    uid = _id(owner, lambda name: pwd.getpwnam(name).pw_uid, "user", check_mode)
    gid = _id(group, lambda name: grp.getgrnam(name).gr_gid, "group", check_mode)
    return uid, gid


def _mode(value):
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return int(str(value), 8)


def _attrs_differ(path, mode, uid, gid):
    st = os.stat(path)
    reasons = []
    if mode is not None and stat.S_IMODE(st.st_mode) != mode:
        reasons.append("mode %04o, wanted %04o" % (stat.S_IMODE(st.st_mode), mode))
    for kind, actual, wanted in (("owner", st.st_uid, uid), ("group", st.st_gid, gid)):
        if isinstance(wanted, _Missing):
            reasons.append("%s %s does not exist yet" % (kind, wanted.name))
        elif wanted != -1 and actual != wanted:
            reasons.append("%s id %d, wanted %d" % (kind, actual, wanted))
    return reasons


def _set_fd_attrs(fd, mode, uid, gid):
    os.fchown(fd, uid, gid)
    if mode is not None:
        os.fchmod(fd, mode)


def _set_attrs(path, mode, uid, gid, directory=False):
    """Owner and mode of ``path`` itself, set through a descriptor opened without following a symlink:
    a link swapped in by someone else can never redirect them to another file."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if directory else 0)
    fd = os.open(path, flags)
    try:
        _set_fd_attrs(fd, mode, uid, gid)
    finally:
        os.close(fd)


def ensure_directory(spec, check_mode):
    path, mode = spec["path"], _mode(spec.get("mode"))
    uid, gid = _ids(spec.get("owner"), spec.get("group"), check_mode)
    if os.path.islink(path):
        raise EtcdTLSError("%s is a symbolic link; etcd's directories must be real directories: replace it" % path)
    if not os.path.isdir(path):
        if os.path.exists(path):
            raise EtcdTLSError("%s exists and is not a directory" % path)
        if not check_mode:
            os.makedirs(path)
            _set_attrs(path, mode, uid, gid, directory=True)
        return {"path": path, "changed": True, "reason": "created"}
    reasons = _attrs_differ(path, mode, uid, gid)
    if reasons and not check_mode:
        _set_attrs(path, mode, uid, gid, directory=True)
    return {"path": path, "changed": bool(reasons), "reason": "; ".join(reasons) or None}


def atomic_write(path, data=None, mode=None, uid=-1, gid=-1, src=None):
    """Write ``data`` (or a copy of the file ``src``) to ``path`` through a temp file and a rename.

    An interruption at any point leaves either the previous file or the new one, never a partial
    one. The temp file is 0600 from its first byte (a key is never readable by others, not even
    briefly) and gets its final owner and mode on its open descriptor, never by path, just before
    the rename; the directory is synced.
    """
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            if data is not None:
                handle.write(data)
            else:
                with open(src, "rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
            _set_fd_attrs(handle.fileno(), mode, uid, gid)
            # The name must still be the file written: never rename something swapped in for it.
            if not os.path.samestat(os.lstat(tmp), os.fstat(handle.fileno())):
                raise EtcdTLSError(
                    "%s: the temporary file %s was replaced while being written; nothing was installed" % (path, tmp)
                )
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _text_for_diff(data):
    if data is None or len(data) > MAX_DIFF_BYTES:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def holds_key(data):
    return data is not None and PRIVATE_KEY_MARK in data


def ensure_file(spec, check_mode, defer_restart=False):
    """Bring one file to its wanted content and attributes.

    Returns a result dict; ``needs_transfer`` is set for a content-less file whose sha256 differs.
    With ``defer_restart``, a file marked ``restart`` whose content differs is only reported
    (``deferred``): the caller writes it later, when that member's turn to restart comes.
    """
    dest = spec["dest"]
    mode = _mode(spec.get("mode"))
    uid, gid = _ids(spec.get("owner"), spec.get("group"), check_mode)
    result = {
        "dest": dest,
        "changed": False,
        "content_changed": False,
        "reason": None,
        "restart": bool(spec.get("restart")),
    }
    data = None
    if spec.get("content") is not None:
        data = base64.b64decode(spec["content"])
        wanted = hashlib.sha256(data).hexdigest()
    else:
        wanted = spec.get("sha256")
        if not wanted:
            raise EtcdTLSError("%s: a file needs content or sha256" % dest)
    if spec.get("diff") and holds_key(data):
        raise EtcdTLSError("%s: holds a private key, so it must never be shown in a diff; drop diff for it" % dest)
    if not os.path.isdir(os.path.dirname(dest)) and not check_mode:
        raise EtcdTLSError("%s: directory %s does not exist" % (dest, os.path.dirname(dest)))
    # A symbolic link is never followed: it is replaced by the file itself.
    actual = None if os.path.islink(dest) else sha256_of(dest)
    if actual != wanted:
        result["content_changed"] = True
        result["reason"] = (
            "a symbolic link, replaced by the file"
            if os.path.islink(dest)
            else "missing"
            if actual is None
            else "content differs"
        )
        keep_mtime = None
        if result["restart"] and actual is not None and data is not None and spec.get("restart_ignore"):
            with open(dest, "rb") as handle:
                before = handle.read()
            if _without_lines(before, spec["restart_ignore"]) == _without_lines(data, spec["restart_ignore"]):
                # Only lines the running service does not read changed: no restart, and the file keeps its time,
                # so the process is not taken for older than its content either.
                result["restart"] = False
                result["reason"] = "content differs in lines that need no restart"
                keep_mtime = os.stat(dest).st_mtime
        if defer_restart and result["restart"]:
            # Not written now, so not changed now: its own turn writes it, and shows its diff.
            result["deferred"] = True
            return result
        result["changed"] = True
        if spec.get("diff") and data is not None:
            before = None
            if actual is not None:
                with open(dest, "rb") as handle:
                    before = _text_for_diff(handle.read())
            after = _text_for_diff(data)
            if after is not None and (before is not None or actual is None):
                result["diff"] = {
                    "before_header": dest,
                    "after_header": dest,
                    "before": before or "",
                    "after": after,
                }
        if check_mode:
            return result
        if data is not None:
            atomic_write(dest, data, mode, uid, gid)
            if keep_mtime is not None:
                os.utime(dest, (keep_mtime, keep_mtime))
        elif spec.get("src"):
            if sha256_of(spec["src"]) != wanted:
                raise EtcdTLSError("%s: the transferred file does not have sha256 %s" % (dest, wanted))
            atomic_write(dest, mode=mode, uid=uid, gid=gid, src=spec["src"])
        else:
            result["needs_transfer"] = True
        return result
    reasons = _attrs_differ(dest, mode, uid, gid)
    if reasons:
        result["changed"] = True
        result["reason"] = "; ".join(reasons)
        if not check_mode:
            _set_attrs(dest, mode, uid, gid)
    return result


def _without_lines(data, pattern):
    """``data`` without the lines that match ``pattern`` (a regular expression, searched from each line's start)."""
    regex = re.compile(pattern.encode("utf-8"))
    return [line for line in data.splitlines() if not regex.match(line)]


def _guarded(function, spec, key, *args):
    try:
        return function(spec, *args)
    except OSError as exc:
        raise EtcdTLSError("%s: %s" % (spec.get(key), exc.strerror or exc)) from None


def process_started(name, proc="/proc"):
    """Epoch seconds at which the oldest running process called ``name`` started, or None."""
    # Boot time from /proc/uptime (10 ms resolution); /proc/stat's btime is whole seconds.
    try:
        with open(os.path.join(proc, "uptime")) as handle:
            boot = time.time() - float(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    oldest = None
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            with open(os.path.join(proc, pid, "comm")) as handle:
                if handle.read().strip() != name:
                    continue
            with open(os.path.join(proc, pid, "stat")) as handle:
                # Field 22 (starttime) comes after the parenthesised command name.
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        started = boot + int(fields[19]) / float(ticks)
        oldest = started if oldest is None else min(oldest, started)
    return oldest


def _key_first(files):
    """Files that hold a private key go before the others, in their given order otherwise.

    etcd reads a certificate, then its key, on every handshake: with the key replaced first, a
    handshake that sees the new certificate also sees the new key.
    """
    return sorted(files, key=lambda spec: 0 if holds_key(_content(spec)) else 1)


def _content(spec):
    return base64.b64decode(spec["content"]) if spec.get("content") is not None else None


def ensure_all(directories, files, check_mode, process=None, defer_restart=False):
    files = _key_first(files or [])
    dir_results = [_guarded(ensure_directory, spec, "path", check_mode) for spec in directories or []]
    file_results = [_guarded(ensure_file, spec, "dest", check_mode, defer_restart) for spec in files]
    # A process older than one of its restart-worthy files runs with stale content, also when the
    # content was written by an earlier, interrupted run: that too needs a restart.
    started = process_started(process) if process else None
    newest = None
    for spec in files:
        if spec.get("restart") and os.path.exists(spec["dest"]):
            mtime = os.stat(spec["dest"]).st_mtime
            newest = mtime if newest is None else max(newest, mtime)
    stale = started is not None and newest is not None and started < newest - STALE_MARGIN
    return {
        "process_started": started,
        "stale_process": stale,
        "changed": any(r["changed"] for r in dir_results + file_results),
        "directories": dir_results,
        "files": file_results,
        "needs_transfer": [r["dest"] for r in file_results if r.get("needs_transfer")],
        "deferred": [r["dest"] for r in file_results if r.get("deferred")],
        # Only new content matters to a running etcd; a fixed mode or owner does not.
        "restart_needed": any(r["content_changed"] and r["restart"] for r in file_results),
    }
