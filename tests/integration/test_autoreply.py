"""The auto-reply example of handlers/autoreply at /autoreply/webhook/conversation.

Inbound SMS and WhatsApp messages get a Conversation API text reply body. Other triggers
and channels are acknowledged without one."""

import json

import pytest
import requests

from sinchfn_testlib import source_dir

INBOUND = json.loads((source_dir() / "handlers" / "autoreply" / "inbound.json").read_text())
REPLY_TEXT = "Thanks for your message! We will get back to you shortly."


def post(server, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(server.url("/autoreply/webhook/conversation"), data=data,
                         headers={"Content-Type": content_type}, timeout=5)


def inbound_on(channel, identity):
    body = json.loads(json.dumps(INBOUND))
    body["message"]["channel_identity"] = {"channel": channel, "identity": identity, "app_id": ""}
    return body


def test_whatsapp_message_gets_reply(server):
    offset = server.log_size()

    response = post(server, INBOUND)

    assert response.status_code == 200
    assert response.content == (
        b'{"trigger":"MESSAGE_INBOUND","replied":true,"reply":{"app_id":"01E8RCZPK7HFV70FFDWFFK0EXK",'
        b'"recipient":{"identified_by":{"channel_identities":[{"channel":"WHATSAPP","identity":"46712312312"}]}},'
        b'"message":{"text_message":{"text":"' + REPLY_TEXT.encode() + b'"}}}}')
    line = server.wait_for_log("Auto-reply to message 01EBDTPPG3Q3EH14H7DY8X09MG on WHATSAPP", offset)
    assert "[function autoreply]" in line, server.log_since(offset)


def test_sms_message_gets_reply(server):
    response = post(server, inbound_on("SMS", "46700000000"))

    assert response.status_code == 200
    assert response.json()["reply"]["recipient"] == {
        "identified_by": {"channel_identities": [{"channel": "SMS", "identity": "46700000000"}]}}


def test_media_message_gets_reply(server):
    body = json.loads(json.dumps(INBOUND))
    body["message"]["contact_message"] = {"media_message": {"url": "https://example.com/photo.jpg"}}

    response = post(server, body)

    assert response.status_code == 200
    assert response.json()["replied"] is True


def test_other_channel_not_answered(server):
    response = post(server, inbound_on("MESSENGER", "3964920326927846"))

    assert response.status_code == 200
    assert response.content == b'{"trigger":"MESSAGE_INBOUND","replied":false}'


@pytest.mark.parametrize("key, trigger", [("message_delivery_report", "MESSAGE_DELIVERY"),
                                          ("event", "EVENT_INBOUND"),
                                          ("conversation_start_notification", "CONVERSATION_START")])
def test_other_triggers_acknowledged(server, key, trigger):
    response = post(server, {"app_id": "01E8RCZPK7HFV70FFDWFFK0EXK", "project_id": "p", key: {"status": "DELIVERED"}})

    assert response.status_code == 200
    assert response.json() == {"trigger": trigger, "replied": False}


def test_unknown_body_rejected(server):
    offset = server.log_size()

    response = post(server, {"app_id": "A", "something": {}})

    assert response.status_code == 400
    assert response.json() == {"error": "The webhook body has none of the Conversation API trigger keys (message, "
                                        "message_delivery_report, event, conversation_start_notification, ...)."}
    assert "Rejected a webhook" in server.wait_for_log("[function autoreply]", offset), server.log_since(offset)


def test_form_body_rejected(server):
    response = post(server, b"message=hi", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json() == {"error": "A Conversation API webhook needs a JSON object body with Content-Type "
                                        "application/json."}


def test_message_without_app_id_rejected(server):
    body = json.loads(json.dumps(INBOUND))
    del body["app_id"]

    response = post(server, body)

    assert response.status_code == 400
    assert response.json() == {"error": "The webhook body has no app_id to send the reply from."}
