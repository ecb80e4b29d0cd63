"""The IVR example of handlers/ivr at /ivr: the ICE plays the business menu, the PIE routes
on the menuResult and the DICE logs, driven with realistic callback bodies."""

import json

import pytest
import requests

from sinchfn_testlib import callback_body, source_dir

EXAMPLE_DIR = source_dir() / "handlers" / "ivr"
JSON = {"Content-Type": "application/json"}

MENU_SVAML = (b'{"action":{"name":"runMenu","menus":[{"id":"main","mainPrompt":"#tts[Thank you for calling Acme Corp. '
              b'Press 1 for sales, 2 for support, or 0 for an operator.]","repeatPrompt":"#tts[Press 1 for sales, 2 '
              b'for support, or 0 for an operator.]","repeats":2,"maxDigits":1,"timeoutMills":8000,"options":['
              b'{"dtmf":"1","action":"return(sales)"},{"dtmf":"2","action":"return(support)"},'
              b'{"dtmf":"0","action":"return(operator)"}]}]}}')
GOODBYE_SVAML = (b'{"action":{"name":"hangup"},"instructions":[{"name":"say","text":"Sorry, we did not get your '
                 b'choice. Goodbye."}]}')


def post(server, route, body):
    return requests.post(server.url(f"/ivr/{route}"), data=body, headers=JSON, timeout=5)


def pie_body(menu_result):
    body = {"event": "pie", "callid": "8b7c2f0e4d6a4c1b9e3f5a7d2c4b6e80", "timestamp": "2026-11-30T14:05:31Z",
            "version": 1, "applicationKey": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d"}
    if menu_result is not None:
        body["menuResult"] = menu_result
    return json.dumps(body).encode()


def test_ice_plays_business_menu(server):
    offset = server.log_size()

    response = post(server, "ice", (EXAMPLE_DIR / "ice.json").read_bytes())

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == MENU_SVAML
    line = server.wait_for_log("Incoming call 8b7c2f0e4d6a4c1b9e3f5a7d2c4b6e80 on pstn", offset)
    assert "[function ivr]" in line, server.log_since(offset)


def test_ice_sdk_vector(server):
    response = post(server, "ice", callback_body("callback-payloads/ice-node-pstn-did.json"))

    assert response.status_code == 200
    assert response.content == MENU_SVAML


@pytest.mark.parametrize("department, number", [("sales", "+12025550101"), ("support", "+12025550102"),
                                                ("operator", "+12025550100")])
def test_pie_connects_department(server, department, number):
    response = post(server, "pie", pie_body({"type": "return", "value": department, "menuId": "main",
                                             "inputMethod": "dtmf"}))

    assert response.status_code == 200
    assert response.content == (f'{{"action":{{"name":"connectPstn","number":"{number}"}},"instructions":'
                                f'[{{"name":"say","text":"Connecting you to {department}."}}]}}').encode()


def test_pie_example_body(server):
    offset = server.log_size()

    response = post(server, "pie", (EXAMPLE_DIR / "pie.json").read_bytes())

    assert response.status_code == 200
    assert b'"number":"+12025550101"' in response.content
    assert server.wait_for_log("Call 8b7c2f0e4d6a4c1b9e3f5a7d2c4b6e80 chose sales", offset), server.log_since(offset)


def test_pie_return_type_any_case(server):
    response = post(server, "pie", pie_body({"type": "Return", "value": "support", "menuId": "main"}))

    assert response.status_code == 200
    assert b'"number":"+12025550102"' in response.content


@pytest.mark.parametrize("vector", ["pie-e2e-return.json", "pie-e2e-sequence.json", "pie-node-sequence.json"])
def test_pie_sdk_vectors_say_goodbye(server, vector):
    response = post(server, "pie", callback_body(f"callback-payloads/{vector}"))

    assert response.status_code == 200
    assert response.content == GOODBYE_SVAML


@pytest.mark.parametrize("menu_result", [{"type": "timeout", "menuId": "main"},
                                         {"type": "invalidinput", "value": "7", "menuId": "main"},
                                         {"type": "hangup"}, None],
                         ids=["timeout", "invalid-input", "hangup", "no-menu-result"])
def test_pie_without_choice_says_goodbye(server, menu_result):
    offset = server.log_size()

    response = post(server, "pie", pie_body(menu_result))

    assert response.status_code == 200
    assert response.content == GOODBYE_SVAML
    assert server.wait_for_log("left the menu with", offset), server.log_since(offset)


def test_dice_logs_call_end(server):
    offset = server.log_size()

    response = post(server, "dice", (EXAMPLE_DIR / "dice.json").read_bytes())

    assert response.status_code == 200
    assert response.content == b""
    line = server.wait_for_log("Call 8b7c2f0e4d6a4c1b9e3f5a7d2c4b6e80 ended", offset)
    assert "result ANSWERED, reason CALLERHANGUP, 211 s" in line, server.log_since(offset)


@pytest.mark.parametrize("vector", ["dice-node.json", "dice-e2e.json"])
def test_dice_sdk_vectors(server, vector):
    offset = server.log_size()

    response = post(server, "dice", callback_body(f"callback-payloads/{vector}"))

    assert response.status_code == 200
    assert "result ANSWERED, reason MANAGERHANGUP" in server.wait_for_log("ended: result", offset)


def test_unknown_event_rejected(server):
    response = post(server, "ice", b'{"event":"unknown"}')

    assert response.status_code == 400
    assert response.json() == {"error": "Unknown voice event type 'unknown'; the event must be ice, ace, pie, dice "
                                        "or notify.",
                               "requestId": response.headers["X-Request-Id"]}


def test_body_without_event_rejected(server):
    response = post(server, "pie", b'{"unknownProperty":"anyValue"}')

    assert response.status_code == 400
    assert response.json()["error"] == "The callback body has no 'event' string; Sinch voice callbacks carry one."


def test_ace_not_exported(server):
    response = post(server, "ace", callback_body("callback-payloads/ace-node-minimal.json"))

    assert response.status_code == 404
    assert response.json()["error"] == "No export named 'ace' in function 'ivr'."
