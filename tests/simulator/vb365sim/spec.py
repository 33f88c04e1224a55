"""Validate VB365 REST API requests and responses against Veeam's OpenAPI spec (v8).

Used by the simulator (every request it receives and every answer it gives) and by the
collection's unit tests (every request the client sends).  Request bodies are checked
strictly: an unknown or misspelt field anywhere in a request body is a problem, as a
server that follows the spec strictly would reject it.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import threading
from urllib.parse import parse_qsl

import jsonschema
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = os.path.dirname(os.path.abspath(__file__))


class SpecError(Exception):
    """An unknown path or method."""


def default_spec_path():
    env = os.environ.get('VB365_SPEC')
    if env:
        return env
    # tests/simulator/vb365sim -> repository root -> ../shared/vb365
    root = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
    return os.path.join(os.path.dirname(root), 'shared', 'vb365', 'vb365_rest_v8.json')


_FORMATS = FormatChecker()
_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_DATE_TIME = re.compile(r'^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$')


@_FORMATS.checks('uuid')
def _is_uuid(value):
    return not isinstance(value, str) or bool(_UUID.match(value))


@_FORMATS.checks('date-time')
def _is_date_time(value):
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@_FORMATS.checks('int32')
def _is_int32(value):
    return not isinstance(value, int) or -2 ** 31 <= value < 2 ** 31


@_FORMATS.checks('int64')
def _is_int64(value):
    return not isinstance(value, int) or -2 ** 63 <= value < 2 ** 63


def _to_json_schema(node, strict, direction):
    """OpenAPI 3.0 schema -> JSON Schema draft 4 (nullable, readOnly/writeOnly, strictness)."""
    if isinstance(node, list):
        return [_to_json_schema(n, strict, direction) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ('x-anyOf', 'example', 'discriminator', 'xml', 'externalDocs', 'deprecated', 'x-veeam-page-result',
                   'description'):
            continue
        if key == 'properties':
            props = {}
            for name, sub in value.items():
                if isinstance(sub, dict) and direction == 'request' and sub.get('readOnly'):
                    continue
                props[name] = _to_json_schema(sub, strict, direction)
            out['properties'] = props
            continue
        out[key] = _to_json_schema(value, strict, direction)
    for key in ('readOnly', 'writeOnly', 'nullable'):
        out.pop(key, None)
    if node.get('nullable'):
        if 'type' in out:
            out['type'] = [out['type'], 'null'] if isinstance(out['type'], str) else list(out['type']) + ['null']
        if 'enum' in out:
            out['enum'] = list(out['enum']) + [None]
    if strict and (out.get('type') == 'object' or 'properties' in out) and 'additionalProperties' not in out:
        out['additionalProperties'] = False
    return out


class SpecValidator:
    """Matches requests to operations of the spec and validates them."""

    def __init__(self, spec_path=None):
        self.spec_path = spec_path or default_spec_path()
        if not os.path.exists(self.spec_path):
            raise SpecError('the OpenAPI spec is not at %s (set VB365_SPEC)' % self.spec_path)
        with open(self.spec_path) as handle:
            self.spec = json.load(handle)
        self._lock = threading.Lock()
        self._registries = {}
        self._validators = {}
        self._routes = []
        for template, item in self.spec['paths'].items():
            pattern = '^' + re.sub(r'\\\{([^}]+)\\\}', r'(?P<\1>[^/]+)', re.escape(template)) + '$'
            self._routes.append((template, re.compile(pattern), re.compile(pattern, re.IGNORECASE), item))

    # ------------------------------------------------------------------ routing
    def operations(self):
        result = []
        for template, item in self.spec['paths'].items():
            for method, op in item.items():
                if method in ('get', 'post', 'put', 'delete', 'patch'):
                    result.append((method.upper(), template, op.get('operationId')))
        return result

    def match(self, method, path):
        """(template, operation, path_params) of a request; raises SpecError when none fits."""
        path = path.split('?', 1)[0]
        exact, loose = [], []
        for template, strict_re, loose_re, item in self._routes:
            m = strict_re.match(path)
            if m:
                exact.append((template, m, item))
            elif loose_re.match(path):
                loose.append((template, loose_re.match(path), item))
        candidates = exact or loose
        if not candidates:
            raise SpecError('%s %s: no such path in the spec' % (method, path))
        # Prefer templates with the most literal characters (e.g. /mailboxes/search over /mailboxes/{id}).
        candidates.sort(key=lambda c: -len(re.sub(r'\{[^}]+\}', '', c[0])))
        template, m, item = candidates[0]
        op = item.get(method.lower())
        if op is None:
            raise SpecError('%s %s: the spec has no %s for %s' % (method, path, method.upper(), template))
        if not exact:
            raise SpecError('%s %s: the path differs in letter case from the spec\'s %s' % (method, path, template))
        return template, op, m.groupdict()

    # ------------------------------------------------------------------ schemas
    def _registry(self, strict, direction):
        key = (strict, direction)
        if key not in self._registries:
            converted = _to_json_schema(copy.deepcopy(self.spec['components']), strict, direction)
            doc = {'components': converted}
            resource = Resource.from_contents(doc, default_specification=DRAFT4)
            self._registries[key] = Registry().with_resource(uri='urn:vb365', resource=resource)
        return self._registries[key]

    def _validator(self, key, schema, strict, direction):
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                converted = _to_json_schema(copy.deepcopy(schema), strict, direction)
                converted = _rebase_refs(converted)
                validator = Draft4Validator(converted, registry=self._registry(strict, direction),
                                            format_checker=_FORMATS)
                self._validators[key] = validator
        return validator

    @staticmethod
    def _problems(validator, instance, where):
        problems = []
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            location = where + ''.join('[%r]' % p if isinstance(p, int) else '.%s' % p for p in error.absolute_path)
            if error.validator == 'additionalProperties':
                extra = sorted(set(error.instance) - set(error.schema.get('properties', {})))
                plural = 's' if len(extra) > 1 else ''
                problems.append('%s: unknown field%s %s' % (location, plural, ', '.join(repr(e) for e in extra)))
            else:
                problems.append('%s: %s' % (location, error.message))
        return problems

    # ------------------------------------------------------------------ requests
    def validate_request(self, method, path, query, content_type, body):
        """Problems with a request (empty list when it follows the spec)."""
        method = method.upper()
        try:
            template, op, path_params = self.match(method, path)
        except SpecError as exc:
            return [str(exc)]
        label = '%s %s' % (method, template)
        problems = []
        declared = dict((p['name'], p) for p in op.get('parameters', []))
        for name, value in path_params.items():
            param = declared.get(name)
            if param and param.get('schema', {}).get('format') == 'uuid' and not _UUID.match(value):
                problems.append('%s: path parameter %s: %r is not a uuid' % (label, name, value))
        for name, value in (query or {}).items():
            param = declared.get(name)
            if param is None or param.get('in') != 'query':
                problems.append('%s: query: unknown parameter %r' % (label, name))
                continue
            problems.extend(self._check_query(label, name, value, param.get('schema', {})))
        for name, param in declared.items():
            if param.get('in') == 'query' and param.get('required') and name not in (query or {}):
                problems.append('%s: query: missing required parameter %r' % (label, name))
        problems.extend(self._check_body(label, method, template, op, content_type, body))
        return problems

    @staticmethod
    def _check_query(label, name, value, schema):
        kind = schema.get('type')
        if kind == 'integer':
            if not re.match(r'^-?\d+$', str(value)):
                return ['%s: query: %s=%r is not an integer' % (label, name, value)]
            if schema.get('format') == 'int32' and not -2 ** 31 <= int(value) < 2 ** 31:
                return ['%s: query: %s=%r is out of the int32 range' % (label, name, value)]
        elif kind == 'boolean' and str(value).lower() not in ('true', 'false'):
            return ['%s: query: %s=%r is not a boolean' % (label, name, value)]
        elif schema.get('format') == 'uuid' and not _UUID.match(str(value)):
            return ['%s: query: %s=%r is not a uuid' % (label, name, value)]
        if 'enum' in schema and value not in schema['enum']:
            return ['%s: query: %s=%r is not one of %s' % (label, name, value, schema['enum'])]
        return []

    def _check_body(self, label, method, template, op, content_type, body):
        request_body = op.get('requestBody')
        has_body = body not in (None, b'', '')
        if request_body is None:
            if has_body and body.strip() not in (b'{}', '{}'):
                return ['%s: body: the operation takes no request body' % label]
            return []
        if not has_body:
            if request_body.get('required'):
                return ['%s: body: a request body is required' % label]
            return []
        media = (content_type or '').split(';', 1)[0].strip().lower()
        content = request_body.get('content', {})
        if media not in content:
            return ['%s: body: content type %r is not one of %s' % (label, media, sorted(content))]
        schema = content[media].get('schema', {})
        raw = body.decode('utf-8') if isinstance(body, bytes) else body
        if media == 'application/x-www-form-urlencoded':
            instance = dict(parse_qsl(raw, keep_blank_values=True))
            props = _resolve(self.spec, schema).get('properties', {})
            for name, value in list(instance.items()):
                kind = props.get(name, {}).get('type')
                if kind == 'boolean' and value.lower() in ('true', 'false'):
                    instance[name] = value.lower() == 'true'
                elif kind == 'integer' and re.match(r'^-?\d+$', value):
                    instance[name] = int(value)
        else:
            try:
                instance = json.loads(raw)
            except ValueError:
                return ['%s: body: not JSON' % label]
        validator = self._validator(('req', method, template, media), schema, True, 'request')
        return self._problems(validator, instance, '%s: body' % label)

    # ------------------------------------------------------------------ responses
    def validate_response(self, method, path, status, content_type, body):
        """Problems with a response (empty list when it follows the spec)."""
        method = method.upper()
        try:
            template, op, _params = self.match(method, path)
        except SpecError as exc:
            return [str(exc)]
        label = '%s %s -> %s' % (method, template, status)
        responses = op.get('responses', {})
        declared = responses.get(str(status))
        if declared is None:
            if 200 <= int(status) < 300:
                return ['%s: status %s is not documented (documented: %s)' % (label, status, sorted(responses))]
            declared = responses.get('default')
            if declared is None:
                return ['%s: no documented response for status %s' % (label, status)]
        content = declared.get('content')
        has_body = body not in (None, b'', '')
        if not content:
            if has_body:
                return ['%s: the documented response has no body' % label]
            return []
        media = (content_type or '').split(';', 1)[0].strip().lower()
        if media not in content:
            if '*/*' in content:
                media = '*/*'
            else:
                return ['%s: content type %r is not one of %s' % (label, media, sorted(content))]
        schema = content[media].get('schema', {})
        if media == 'application/octet-stream':
            return []
        if not has_body:
            return ['%s: body missing' % label]
        try:
            instance = json.loads(body.decode('utf-8') if isinstance(body, bytes) else body)
        except ValueError:
            return ['%s: body is not JSON' % label]
        validator = self._validator(('resp', method, template, str(status), media), schema, False, 'response')
        return self._problems(validator, instance, '%s: body' % label)


def _rebase_refs(node):
    """'#/components/...' -> 'urn:vb365#/components/...' so that the registry resolves them."""
    if isinstance(node, dict):
        return dict((k, ('urn:vb365' + v if k == '$ref' and isinstance(v, str) and v.startswith('#/') else _rebase_refs(v)))
                    for k, v in node.items())
    if isinstance(node, list):
        return [_rebase_refs(v) for v in node]
    return node


def _resolve(spec, schema):
    ref = schema.get('$ref') if isinstance(schema, dict) else None
    if not ref:
        return schema
    node = spec
    for part in ref.lstrip('#/').split('/'):
        node = node[part]
    return node


@functools.lru_cache(maxsize=1)
def default_validator():
    """The validator of the default spec, built once per process."""
    return SpecValidator()


__all__ = ['SpecError', 'SpecValidator', 'default_validator', 'default_spec_path', 'jsonschema']
