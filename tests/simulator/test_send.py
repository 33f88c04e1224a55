"""Sending items by email, and the Exchange email settings they need."""

from __future__ import annotations

ALICE = 'alice@contoso.onmicrosoft.com'


def first_items(api, session, mailbox, count):
    return api.call('GET', api.root(session, mailbox) + '/items', params={'limit': count})['results']


def test_send_to_the_default_and_to_another_address(api):
    session = api.explore()
    alice = api.mailbox(session, ALICE)
    root = api.root(session, alice)
    one, two = first_items(api, session, alice, 2)
    api.call('POST', root + '/items/sendToDefaultAddress', expect=204, json={'items': [{'id': one['id']}]})
    api.call('POST', root + '/items/sendToDifferentAddress', expect=204, json={
        'items': [{'id': one['id']}, {'id': two['id']}], 'to': 'legal@contoso.example', 'from': 'it@contoso.example',
        'subject': 'Evidence', 'text': 'As asked'})
    api.call('POST', root + '/items/%s/sendToDefaultAddress' % two['id'], expect=204)
    api.call('POST', root + '/items/%s/sendToDifferentAddress' % two['id'], expect=204,
             json={'to': 'auditor@contoso.example', 'subject': 'One item'})
    sent = api.control('GET', 'sent')
    assert [m['to'] for m in sent] == [ALICE, 'legal@contoso.example', ALICE, 'auditor@contoso.example']
    assert sent[0]['from'] == 'restore@contoso.example' and sent[0]['items'] == [one['id']]
    assert sent[0]['attachments'] == ['%s.msg' % one['subject']]
    assert (sent[1]['from'], sent[1]['subject'], sent[1]['text']) == ('it@contoso.example', 'Evidence', 'As asked')
    assert sent[1]['items'] == [one['id'], two['id']] and sent[3]['items'] == [two['id']]
    assert 'to' in api.error('POST', root + '/items/sendToDifferentAddress', 400,
                             json={'items': [{'id': one['id']}]})['message']
    api.error('POST', root + '/items/sendToDefaultAddress', 404, json={'items': [{'id': 'nope'}]})


def test_email_settings_knob_and_put(api):
    session = api.explore()
    alice = api.mailbox(session, ALICE)
    root = api.root(session, alice)
    (item,) = first_items(api, session, alice, 1)
    settings = api.call('GET', '/v8/VexEmailSettings')
    assert settings['enableNotification'] is True and settings['server'] == 'smtp.contoso.example'
    assert settings['from'] == 'restore@contoso.example'
    api.config(email_settings_configured=False)
    assert api.call('GET', '/v8/VexEmailSettings')['enableNotification'] is False
    refused = api.error('POST', root + '/items/sendToDefaultAddress', 400, json={'items': [{'id': item['id']}]})
    assert 'email settings' in refused['message'] and 'not configured' in refused['message']
    assert api.control('GET', 'sent') == []
    api.call('PUT', '/v8/VexEmailSettings', expect=204, json={
        'enableNotification': True, 'server': 'mail.contoso.example', 'port': 25, 'from': 'vbo@contoso.example',
        'useAuthentication': True, 'username': 'vbo', 'userPassword': 'Smtp-Pa55'})
    now = api.call('GET', '/v8/VexEmailSettings')
    assert now['server'] == 'mail.contoso.example' and 'userPassword' not in now
    api.call('POST', root + '/items/sendToDefaultAddress', expect=204, json={'items': [{'id': item['id']}]})
    assert api.control('GET', 'sent')[0]['from'] == 'vbo@contoso.example'
    assert 'Smtp-Pa55' not in str(api.control('GET', 'requests'))
