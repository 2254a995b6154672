"""ARC with dkimpy (Debian python3-dkim, python3-authres), as another mail system would seal and verify.

usage: /usr/bin/python3 arc_dkimpy.py sign MESSAGE_FILE KEY_PEM_FILE DOMAIN SELECTOR AUTHSERV_ID
         writes the ARC set dkimpy adds (from the message's Authentication-Results of AUTHSERV_ID) and
         the message to standard output
       /usr/bin/python3 arc_dkimpy.py verify MESSAGE_FILE KEYS_JSON
         prints the chain's result (pass, fail, none), then dkimpy's reason
KEYS_JSON maps record names ("sel._domainkey.example.test") to TXT values: the test's DNS (dkimpy's
command-line tools only ask the system resolver, so the lookups are answered here).
"""
import json
import sys

import dkim

command, path = sys.argv[1], sys.argv[2]
message = open(path, "rb").read()

if command == "sign":
    key = open(sys.argv[3], "rb").read()
    fields = dkim.arc_sign(message, sys.argv[5].encode(), sys.argv[4].encode(), key, sys.argv[6].encode(),
                           include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    sys.stdout.buffer.write(b"".join(fields) + message)
elif command == "verify":
    records = json.load(open(sys.argv[3]))

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        value = records.get(key.rstrip("."))
        return value.encode() if value is not None else None

    cv, results, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    print(cv.decode(), reason)
else:
    sys.exit("unknown command " + command)
