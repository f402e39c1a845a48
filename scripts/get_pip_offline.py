"""Offline stand-in for the get-pip.py that ansible-test downloads from ci-files.testing.ansible.com.

ansible-test runs its cached ``get_pip_<version>.py`` inside each fresh sanity virtualenv, with pip
options and requirement specifiers as arguments. That host is not reachable from our machines, so
``make sanity`` seeds the cache with this script: it bootstraps the pip bundled with CPython
(ensurepip) and then lets that pip install the exact version ansible-test asked for from PyPI.
"""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")

if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    # ensurepip sets PIP_CONFIG_FILE=/dev/null in os.environ; the real install must see the
    # machine's pip configuration (index mirrors, CA bundle), so it gets the environment from before.
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=False)
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *args], env=environment)
