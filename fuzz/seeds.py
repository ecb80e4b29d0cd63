#!/usr/bin/env python3
"""Write the seed corpus of every fuzz target from the example functions' bodies and
tests/vectors, in the input layout each target's header comment describes."""
import glob
import json
import os
import sys

SOURCE = sys.argv[1]
OUT = sys.argv[2]


def write(target, name, data):
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as seed:
        seed.write(data)


def example_bodies():
    """(name, event or None, text) of every JSON body next to an example function and
    every raw callback body of the vectors."""
    for path in sorted(glob.glob(os.path.join(SOURCE, "handlers", "*", "*.json"))):
        with open(path, encoding="utf-8") as body:
            text = body.read()
        try:
            event = json.loads(text).get("event")
        except (ValueError, AttributeError):
            event = None
        name = os.path.basename(os.path.dirname(path)) + "-" + os.path.basename(path)
        yield name, event, text
    for path in sorted(glob.glob(os.path.join(SOURCE, "tests", "vectors", "callback-payloads", "*.json"))):
        with open(path, encoding="utf-8") as vector:
            wrapper = json.load(vector)
        name = os.path.basename(path)
        if wrapper.get("raw_body"):
            yield name, wrapper.get("event"), wrapper["raw_body"]
        elif wrapper.get("payload") is not None:
            yield name, wrapper.get("event"), json.dumps(wrapper["payload"])
        for number, case in enumerate(wrapper.get("cases", [])):
            yield f"{name}-{number}", "ice", json.dumps(case.get("payload"))


def signature_seeds():
    with open(os.path.join(SOURCE, "tests", "vectors", "signature-cases.json"), encoding="utf-8") as vectors:
        cases = json.load(vectors)["cases"]
    names = ["content-type", "authorization", "x-timestamp", "x-sinch-webhook-signature",
             "x-sinch-webhook-signature-nonce", "x-sinch-webhook-signature-timestamp",
             "x-sinch-webhook-signature-algorithm", "x-sinch-signature", "stripe-signature"]
    for case in cases:
        inputs = case["inputs"]
        headers = {key.lower(): value for key, value in (inputs.get("headers") or {}).items()}
        headers.setdefault("content-type", inputs.get("content_type"))
        headers.setdefault("x-timestamp", inputs.get("x_timestamp"))
        headers.setdefault("x-sinch-webhook-signature-nonce", inputs.get("nonce"))
        headers.setdefault("x-sinch-webhook-signature-timestamp", inputs.get("timestamp"))
        fields = [inputs.get("application_key"), inputs.get("application_secret") or inputs.get("secret"),
                  inputs.get("method") or "POST", inputs.get("path") or "/"]
        fields += [headers.get(name) for name in names]
        text = "\n".join(str(field or "") for field in fields)
        write("fuzz_signature", case["id"], text + "\n" + (inputs.get("body") or ""))
    write("fuzz_signature", "stripe", "\n" * 12 + "t=1700000000,v1=00ff,v0=aa\n{}")


def main():
    for name, event, text in example_bodies():
        write("fuzz_json", name, text)
        write("fuzz_event", name, f"{event or 'ice'}\n{text}")
    write("fuzz_json", "conversation", '{"app_id":"A","message":{"contact_message":{"text_message":'
          '{"text":"hi"}},"channel_identity":{"channel":"SMS","identity":"46700000000"}}}')
    # Numbers at the edges of what both JSON paths accept, in members, arrays and nesting.
    write("fuzz_json", "numbers", '{"a":[9223372036854775807,-9223372036854775808,9223372036854775808],'
          '"b":{"c":[18446744073709551615,1e999,-0,-0.0,1e-400]},"d":-01}')

    write("fuzz_route", "voice", "/fn\n/fn/calls/ice")
    write("fuzz_route", "webhook", "/fn\n/fn/webhook/sms-inbound")
    write("fuzz_route", "encoded", "/fn/\n/fn/a%2Fb/../%C3%A9t%C3%A9")
    write("fuzz_route", "root", "/\n/")

    write("fuzz_urlencoded", "query", "name=you&a=1&a=2&empty=&flag&sp=a+b%20c")
    write("fuzz_urlencoded", "escapes", "x=%E2%82%AC&bad=%zz&nul=%00")

    write("fuzz_auth", "basic", "Basic YWRtaW46c2VjcmV0\naccess_token=abc&x=1")
    write("fuzz_auth", "bearer", "Bearer abc.def-ghi_~+/==\nacc%65ss_token=1")
    write("fuzz_auth", "lower", "basic OnNlY3JldA==\n")

    signature_seeds()

    write("fuzz_dotenv", "env", 'export KEY=value\n# comment\nQUOTED="a\\nb" # c\nSINGLE=\'x y\'\n'
          'VOICE_APPLICATION_KEY = abc #note\nEMPTY=\n')
    for path in sorted(glob.glob(os.path.join(SOURCE, "handlers", "*", "sinch.json"))):
        with open(path, "rb") as project:
            write("fuzz_project", os.path.basename(os.path.dirname(path)), project.read())
    write("fuzz_project", "variables", '{"name":"fn","variables":{"A":"x","B":1,"C":true,"D":1.5}}')

    # One byte picks the callback, then call selectors and their arguments.
    write("fuzz_svaml", "say-hangup", bytes([0, 0, 8]) + b"Welcome!" + bytes([5]) + b"en-US" + bytes([7]))
    write("fuzz_svaml", "menu", bytes([0, 16, 0, 3, 2, 1]) + b"1" + bytes([5]) + b"sales")
    write("fuzz_svaml", "pstn", bytes([0, 9, 12]) + b"+46708000000" + bytes([0, 1, 0, 100, 0, 0, 1, 0, 0, 0, 2, 2]))


main()
