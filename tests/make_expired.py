#!/usr/bin/env python3
# Copyright (c) 2026, etcdtls.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Re-sign every member's server and peer certificate in a PKI directory with a validity that
ended yesterday (same subject, SANs, key and extensions, signed by the same CAs), as a cluster left
alone past its certificates' end would hold them. For the expired-certificates test only.

    make_expired.py PKI_DIR
"""

import datetime
import glob
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization


def main():
    pki = sys.argv[1]
    issuers = {}
    for name in ("ca", "peer-ca"):
        if os.path.exists(os.path.join(pki, name + ".key")):
            with open(os.path.join(pki, name + ".crt"), "rb") as handle:
                cert = x509.load_pem_x509_certificate(handle.read())
            with open(os.path.join(pki, name + ".key"), "rb") as handle:
                issuers[name] = (cert, serialization.load_pem_private_key(handle.read(), password=None))
    now = datetime.datetime.now(datetime.timezone.utc)
    paths = sorted(glob.glob(os.path.join(pki, "members", "*", "server.crt")))
    paths += sorted(glob.glob(os.path.join(pki, "members", "*", "peer.crt")))
    for path in paths:
        with open(path, "rb") as handle:
            cert = x509.load_pem_x509_certificate(handle.read())
        # Peer certificates come from the peer CA when the PKI has one.
        ca_cert, ca_key = issuers.get("peer-ca" if path.endswith("peer.crt") else "ca", issuers["ca"])
        builder = (
            x509.CertificateBuilder()
            .subject_name(cert.subject)
            .issuer_name(ca_cert.subject)
            .public_key(cert.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now - datetime.timedelta(days=1))
        )
        for extension in cert.extensions:
            builder = builder.add_extension(extension.value, extension.critical)
        expired = builder.sign(ca_key, hashes.SHA256())
        with open(path + ".tmp", "wb") as handle:
            handle.write(expired.public_bytes(serialization.Encoding.PEM))
        os.replace(path + ".tmp", path)
        print("%s: expired on %s" % (path, expired.not_valid_after_utc.isoformat()))


if __name__ == "__main__":
    main()
