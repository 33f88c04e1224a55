"""The Exchange restore credential type (extensions/awx/vb365_exchange_credential_type.yml) against the roles.

A job template with this credential must run every restoring role with no Exchange credentials in
its variables: the credential's extra variables are exactly the roles' ``<role>_exchange_credentials``
options, and what it injects for each method is a valid ``exchange_credentials`` of that method,
turned into the restore body fields the v8 spec names.
"""

from __future__ import annotations

import glob
import os

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.vb365.restore.plugins.module_utils.restore import (
    EXCHANGE_CREDENTIALS_SPEC,
    credential_method,
    credentials_body,
)
from awx_support import EXCHANGE_CREDENTIAL_TYPE as CREDENTIAL_TYPE, inject_extra_vars

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIELDS = dict((field['id'], field) for field in CREDENTIAL_TYPE['inputs']['fields'])
PFX_BASE64 = 'MIIKZgIBAzCCCiIGCSqGSIb3DQEHAaCCChMEggoPMIIKCzCCBXwGCSqGSIb3DQEHAaCCBW0EggVpMIIFZTCCBWEGCyqG'


def render_extra_vars(inputs):
    return inject_extra_vars(CREDENTIAL_TYPE, inputs)


def roles_credential_variables():
    names = set()
    for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')):
        with open(path) as handle:
            specs = yaml.safe_load(handle)['argument_specs']
        for entry in specs.values():
            names.update(name for name in entry.get('options', {}) if name.endswith('_exchange_credentials'))
    return names


def test_the_injected_variables_are_the_roles_credential_options():
    assert set(CREDENTIAL_TYPE['injectors']['extra_vars']) == roles_credential_variables()
    assert 'mailbox_bulk_restore_exchange_credentials' in roles_credential_variables()


def test_every_secret_input_is_secret_and_every_injected_key_is_an_option():
    assert sorted(f for f, field in FIELDS.items() if field.get('secret')) == [
        'certificate', 'certificate_password', 'password']
    for value in CREDENTIAL_TYPE['injectors']['extra_vars'].values():
        assert set(value) <= set(EXCHANGE_CREDENTIALS_SPEC)


@pytest.mark.parametrize('inputs, method, body', [
    ({'username': 'restore-operator@contoso.onmicrosoft.com', 'password': 'S3cret "quoted" {{ not a template }}'},
     'password', {'office365UserName': 'restore-operator@contoso.onmicrosoft.com',
                  'office365UserPassword': 'S3cret "quoted" {{ not a template }}'}),
    ({'application_id': '3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'certificate': PFX_BASE64,
      'certificate_password': 'pfx-pass', 'impersonation_account': 'restore-operator@contoso.onmicrosoft.com'},
     'application', {'applicationId': '3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'applicationCertificate': PFX_BASE64,
                     'applicationCertificatePassword': 'pfx-pass',
                     'impersonationAccountName': 'restore-operator@contoso.onmicrosoft.com'}),
])
def test_each_method_injects_valid_credentials_for_every_role(inputs, method, body):
    extra_vars = render_extra_vars(inputs)
    for name, value in extra_vars.items():
        result = ArgumentSpecValidator(EXCHANGE_CREDENTIALS_SPEC).validate(value)
        assert result.error_messages == [], name
        assert credential_method(value) == method
        assert credentials_body(value, bulk=True) == body
