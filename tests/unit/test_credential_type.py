"""The AWX credential type (extensions/awx/vb365_credential_type.yml) against the modules.

A job template with the credential must connect with no connection option in the playbook: every
variable the credential injects is one that a connection option falls back to, with a value that
option accepts, and the password is a secret input.
"""

from __future__ import annotations

import os
import re

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.vb365.restore.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.vb365.restore.plugins.module_utils.module import CONNECTION_ARGUMENT_SPEC
from awx_support import CREDENTIAL_TYPE, inject

FIELDS = dict((field['id'], field) for field in CREDENTIAL_TYPE['inputs']['fields'])
ENV = CREDENTIAL_TYPE['injectors']['env']
PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n'
# The connection options that belong to a credential; request_timeout is a setting of the job.
CREDENTIAL_OPTIONS = ('server', 'username', 'password', 'validate_certs', 'ca_path')


def fallback_variables(option):
    strategy, names = CONNECTION_ARGUMENT_SPEC[option]['fallback']
    assert strategy.__name__ == 'env_fallback'
    return names


def connection_params(env, monkeypatch):
    """The connection options as a module would see them with ``env`` and no task option."""
    for name in list(os.environ):
        if name.startswith('VB365_'):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = ArgumentSpecValidator(CONNECTION_ARGUMENT_SPEC).validate({})
    assert result.error_messages == []
    return result.validated_parameters


def test_injected_variables_are_the_connection_fallbacks():
    expected = dict((option, fallback_variables(option)[0]) for option in CREDENTIAL_OPTIONS)
    assert sorted(ENV) == sorted(expected.values())
    every_fallback = set(name for option in CONNECTION_ARGUMENT_SPEC for name in fallback_variables(option))
    assert set(ENV) <= every_fallback


def test_the_connection_docs_name_the_injected_variables():
    documented = set(re.findall(r'E\((VB365_[A-Z_]+)\)', ModuleDocFragment.DOCUMENTATION))
    assert set(ENV) <= documented


def test_password_is_the_only_secret_and_the_connection_is_required():
    assert [field['id'] for field in FIELDS.values() if field.get('secret')] == ['password']
    assert sorted(CREDENTIAL_TYPE['inputs']['required']) == ['password', 'server', 'username']
    assert FIELDS['ca_certificate'].get('multiline') is True
    assert CREDENTIAL_TYPE['kind'] in ('cloud', 'net')  # the kinds AWX allows for custom types


def test_templates_use_only_the_inputs_awx_defines():
    """AWX refuses a credential type whose injectors name an undefined input."""
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)

    class Filenames:
        ca_certificate = '/runner/env/tmpabc'

    class Tower:
        filename = Filenames()

    namespace = dict((name, 'x') for name in FIELDS)
    namespace['tower'] = Tower()
    templates = list(ENV.values()) + list(CREDENTIAL_TYPE['injectors']['file'].values())
    for template in templates:
        sandbox.from_string(template).render(**namespace)
    for label in CREDENTIAL_TYPE['injectors']['file']:
        assert label.startswith('template.') and label.split('.', 1)[1] in FIELDS
    assert FIELDS['validate_certs']['default'] in FIELDS['validate_certs']['choices']


def test_a_full_credential_connects_with_the_ca_file(tmp_path, monkeypatch):
    inputs = {'server': 'vb365.contoso.com', 'username': 'CONTOSO\\restore-admin', 'password': 'S3cret!&%',
              'ca_certificate': PEM, 'validate_certs': 'true'}
    env = inject(CREDENTIAL_TYPE, inputs, str(tmp_path))
    ca_path = env['VB365_CA_PATH']
    assert os.path.dirname(ca_path) == str(tmp_path / 'env')
    with open(ca_path) as handle:
        assert handle.read() == PEM
    params = connection_params(env, monkeypatch)
    assert params['server'] == 'vb365.contoso.com'
    assert params['username'] == 'CONTOSO\\restore-admin'
    assert params['password'] == 'S3cret!&%'
    assert params['ca_path'] == ca_path
    assert params['validate_certs'] is True


def test_without_a_ca_certificate_the_system_trust_store_is_used(tmp_path, monkeypatch):
    env = inject(CREDENTIAL_TYPE, {'server': 's', 'username': 'u', 'password': 'p'}, str(tmp_path))
    assert env['VB365_CA_PATH'] == ''
    params = connection_params(env, monkeypatch)
    assert not params['ca_path']  # the module checks `if ca_path`: no file is required
    assert params['validate_certs'] is True  # never set: certificates are still verified


@pytest.mark.parametrize('value, expected', [('true', True), ('false', False)])
def test_validate_certs_is_passed_through(tmp_path, monkeypatch, value, expected):
    env = inject(CREDENTIAL_TYPE, {'server': 's', 'username': 'u', 'password': 'p', 'validate_certs': value},
                 str(tmp_path))
    assert connection_params(env, monkeypatch)['validate_certs'] is expected
