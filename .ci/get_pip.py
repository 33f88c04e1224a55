"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test runs it inside each new virtual environment as ``python get_pip.py <pip install
arguments>``. It installs with the pip wheel that Python ships in ``ensurepip`` (no download of
the script itself); the packages come from the package index as usual.
"""

import glob
import os
import sys

import ensurepip

WHEELS = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl'))
if not WHEELS:
    sys.exit('get_pip.py: this Python has no bundled pip wheel in ensurepip')
sys.path.insert(0, WHEELS[0])

from pip._internal.cli.main import main  # noqa: E402  pylint: disable=wrong-import-position,import-error

# The bundled pip may be older than the options ansible-test passes for the real get-pip script.
ARGS = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.exit(main(['install'] + ARGS))
