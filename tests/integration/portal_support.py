"""The person's part of a device code sign-in, played by a test while ansible-playbook waits."""

from __future__ import annotations

import threading
import time


class Person(threading.Thread):
    """Signs in as ``user`` with the first device code of the simulated identity platform that nobody
    used yet (of ``purpose`` when given), within ``patience`` seconds; ``code`` is the code it used."""

    def __init__(self, sim_api, user, purpose=None, patience=60):
        super().__init__(daemon=True)
        self.sim_api, self.user, self.purpose, self.patience = sim_api, user, purpose, patience
        self.code = None

    def run(self):
        deadline = time.time() + self.patience
        while time.time() < deadline:
            pending = [c for c in self.sim_api.get('identity/codes')
                       if not c['signed_in_by'] and (self.purpose is None or c['purpose'] == self.purpose)]
            if pending:
                self.code = pending[0]['user_code']
                self.sim_api.post('identity/signin', {'user_code': self.code, 'user': self.user})
                return
            time.sleep(0.2)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.join(5)
