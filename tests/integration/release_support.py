"""The collection as users get it: built with ``ansible-galaxy collection build`` from the files of
this checkout (the ones git tracks plus new ones it does not ignore, as ``.ci/collection.sh``
copies them), and installed from the tarball into an empty collection path.

``built_and_installed(root_dir)`` does it once per process (pytest-xdist worker) and returns a
``Release``: ``tarball``, ``installed`` (the collection path that holds
``ansible_collections/vb365/restore``) and ``version``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

import yaml

from harness import clean_environment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
_DONE = {}


@dataclass
class Release:
    tarball: str
    installed: str
    version: str

    @property
    def collection_dir(self):
        return os.path.join(self.installed, 'ansible_collections', 'vb365', 'restore')


def galaxy_version():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        return yaml.safe_load(handle)['version']


def ansible_env(home):
    """A clean environment for ansible-galaxy / ansible-doc: no configuration but an empty one."""
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, 'ansible.cfg')
    with open(config, 'w') as handle:
        handle.write('[defaults]\n')
    env = clean_environment()
    env.update({'ANSIBLE_CONFIG': config, 'ANSIBLE_HOME': home, 'ANSIBLE_NOCOLOR': '1'})
    return env


def run(cmd, env, cwd=None):
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          check=False, timeout=300)
    assert proc.returncode == 0, '%s exited %d\n%s\n%s' % (' '.join(cmd), proc.returncode, proc.stdout, proc.stderr)
    return proc


def copy_checkout(dest):
    """The checkout's files (tracked, and new ones not ignored) under ``dest``."""
    listed = subprocess.run(['git', 'ls-files', '-z', '-co', '--exclude-standard'], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split('\0')
    for path in listed:
        source = os.path.join(ROOT, path)
        if not path or not os.path.lexists(source):
            continue  # deleted but still tracked
        target = os.path.join(dest, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def built_and_installed(root_dir):
    if root_dir in _DONE:
        return _DONE[root_dir]
    env = ansible_env(os.path.join(root_dir, 'ansible-home'))
    source = os.path.join(root_dir, 'src', 'ansible_collections', 'vb365', 'restore')
    copy_checkout(source)
    # Reports that runbooks left in a checkout (./vb365-reports is their default directory).
    for stray in ('vb365-reports', os.path.join('playbooks', 'vb365-reports')):
        os.makedirs(os.path.join(source, stray), exist_ok=True)
        with open(os.path.join(source, stray, 'mailbox-bulk-restore.json'), 'w', encoding='utf-8') as handle:
            handle.write('{}\n')
    dist = os.path.join(root_dir, 'dist')
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', source, '--output-path', dist], env)
    version = galaxy_version()
    tarball = os.path.join(dist, 'vb365-restore-%s.tar.gz' % version)
    assert os.path.isfile(tarball), os.listdir(dist)
    installed = os.path.join(root_dir, 'installed')
    run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', tarball, '-p', installed], env)
    _DONE[root_dir] = Release(tarball, installed, version)
    return _DONE[root_dir]
