"""Signs a message with dkimpy (Debian python3-dkim), as another domain's mail system would.

usage: /usr/bin/python3 sign_dkim.py MESSAGE_FILE KEY_PEM_FILE DOMAIN SELECTOR [length]
Writes the DKIM-Signature field and the message to standard output; "length" adds l= (RFC 6376 §3.5).
"""
import sys

import dkim

message = open(sys.argv[1], "rb").read()
key = open(sys.argv[2], "rb").read()
signature = dkim.sign(message, sys.argv[4].encode(), sys.argv[3].encode(), key,
                      include_headers=[b"from", b"to", b"subject"], length=len(sys.argv) > 5 and sys.argv[5] == "length")
sys.stdout.buffer.write(signature + message)
