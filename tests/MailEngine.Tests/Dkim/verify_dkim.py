"""Verifies every DKIM-Signature of a message with dkimpy (Debian python3-dkim), the way a receiver would.

usage: /usr/bin/python3 verify_dkim.py MESSAGE_FILE KEYS_JSON
       /usr/bin/python3 verify_dkim.py MESSAGE_FILE dns:ADDRESS:PORT
KEYS_JSON maps record names ("sel._domainkey.example.test") to TXT values: the test's DNS. With
dns:ADDRESS:PORT the key records are asked of that name server (a test BIND) with dnspython.
Prints one line per signature, topmost first: "<index> <d=> <s=> <a=> pass|fail".
"""
import json
import sys

import dkim

message = open(sys.argv[1], "rb").read()

if sys.argv[2].startswith("dns:"):
    import dns.exception
    import dns.resolver

    address, port = sys.argv[2][4:].rsplit(":", 1)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.port = int(port)

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        try:
            answer = resolver.resolve(key.rstrip("."), "TXT", lifetime=timeout)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        # As dkimpy's own lookup: the first TXT record, its strings joined (RFC 6376 §3.6.2.2).
        return b"".join(next(iter(answer)).strings)
else:
    records = json.load(open(sys.argv[2]))

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        value = records.get(key.rstrip("."))
        return value.encode() if value is not None else None


verifier = dkim.DKIM(message)
signatures = [value for (field, value) in verifier.headers if field.lower() == b"dkim-signature"]
for index, value in enumerate(signatures):
    tags = dkim.util.parse_tag_value(value)
    try:
        ok = dkim.DKIM(message).verify(idx=index, dnsfunc=dnsfunc)
    except dkim.DKIMException as error:  # a body hash mismatch is raised, not returned
        print("#", index, error, file=sys.stderr)
        ok = False
    print(index, tags[b"d"].decode(), tags[b"s"].decode(), tags[b"a"].decode(), "pass" if ok else "fail")
