"""Offline stand-in for the ``get-pip-<version>.py`` script that ansible-test downloads.

ansible-test bootstraps pip into each virtual environment it creates by running
``~/.ansible/test/cache/get_pip_<version>.py`` when that file exists, and downloads it from a
host that these machines cannot reach when it does not. ``make setup`` copies this file there.

Invoked as ``python get_pip_X_Y.py [pip install options] pip==X.Y --no-setuptools --no-wheel``,
it runs ``pip install`` with those options from the pip wheel that CPython bundles in
``ensurepip`` (or that Debian ships in /usr/share/python-wheels), so that only the package index
is needed. The bundled pip is older than the one it installs; the two get-pip-only options
are dropped because that pip does not know them.
"""

from __future__ import annotations

import glob
import os
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def bundled_pip_wheel():
    """The newest pip wheel that ships with this Python, or None."""
    places = ['/usr/share/python-wheels']
    try:
        import ensurepip  # pylint: disable=import-outside-toplevel
        places.insert(0, os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'))
    except ImportError:  # Debian's python3 without python3-venv has no ensurepip
        pass
    wheels = []
    for place in places:
        wheels.extend(glob.glob(os.path.join(place, 'pip-*.whl')))
    return max(wheels, key=os.path.basename) if wheels else None


def main():
    wheel = bundled_pip_wheel()
    if wheel is None:
        sys.exit('get_pip.py: this Python has no bundled pip wheel (ensurepip or /usr/share/python-wheels)')
    sys.path.insert(0, wheel)  # a wheel is a zip archive: pip runs from it without being installed
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel,import-error

    options = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    return pip_main(['install'] + options)


if __name__ == '__main__':
    sys.exit(main())
