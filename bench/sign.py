"""Print the headers of a request signed with a Sinch application signature, one
"Name: value" line each: Content-Type, x-timestamp and Authorization.

Usage: sign.py KEY SECRET METHOD PATH CONTENT_TYPE BODY_FILE

The signature is Base64(HMAC-SHA256(Base64Decode(SECRET), StringToSign)) over
METHOD, Content-MD5 of the body, Content-Type, "x-timestamp:" and the timestamp, and
PATH, joined by newlines, as Sinch signs voice callbacks. x-timestamp is the current
UTC time, so the server's SinchSignatureMaxSkew must cover the time the headers are used.
"""

import base64
import hashlib
import hmac
import sys
import time


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    key, secret, method, path, content_type, body_file = sys.argv[1:]
    with open(body_file, "rb") as file:
        body = file.read()

    x_timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    content_md5 = base64.b64encode(hashlib.md5(body).digest()).decode() if body else ""
    string_to_sign = f"{method.upper()}\n{content_md5}\n{content_type}\nx-timestamp:{x_timestamp}\n{path}"
    mac = hmac.new(base64.b64decode(secret), string_to_sign.encode(), hashlib.sha256).digest()

    print(f"Content-Type: {content_type}")
    print(f"x-timestamp: {x_timestamp}")
    print(f"Authorization: Application {key}:{base64.b64encode(mac).decode()}")


if __name__ == "__main__":
    main()
