"""What Debian's verifiers say about a message, for comparison with `adminctl auth-check`.

usage: /usr/bin/python3 debian_verdicts.py sign MESSAGE KEY_FILE DOMAIN SELECTOR rsa|ed25519
         the message signed by dkimpy (python3-dkim) on standard output; an RSA key is PEM, an
         Ed25519 key the base64 seed (as dkimpy reads it)
       /usr/bin/python3 debian_verdicts.py ed25519-key KEY_FILE
         writes a new Ed25519 seed (base64) to KEY_FILE (python3-nacl), prints the public key for p=
       /usr/bin/python3 debian_verdicts.py check MESSAGE CLIENT_IP MAIL_FROM HELO DNS_PORT
         "spf mail-from RESULT", "spf helo RESULT" (pyspf, python3-spf) and "dkim DOMAIN SELECTOR
         RESULT" per signature (dkimpy), every query sent to 127.0.0.1:DNS_PORT (dnspython)
"""
import base64
import sys

import dkim
import dns.message
import dns.query
import dns.rdatatype
import dns.resolver
import nacl.signing
import spf


def use_server(port):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = port
    dns.resolver.default_resolver = resolver  # pyspf asks dns.resolver.query, which uses this one


def txt(port):
    def lookup(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        response = dns.query.udp(dns.message.make_query(name, "TXT"), "127.0.0.1", port=port, timeout=timeout)
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                for record in rrset:
                    return b"".join(record.strings)
        return b""
    return lookup


command = sys.argv[1]
if command == "sign":
    message, key_file, domain, selector, algorithm = sys.argv[2:7]
    data = open(message, "rb").read()
    key = open(key_file, "rb").read()
    signature = dkim.sign(data, selector.encode(), domain.encode(), key,
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"],
                          signature_algorithm=b"ed25519-sha256" if algorithm == "ed25519" else b"rsa-sha256")
    sys.stdout.buffer.write(signature + data)
elif command == "ed25519-key":
    seed = nacl.signing.SigningKey.generate()
    open(sys.argv[2], "wb").write(base64.b64encode(bytes(seed)))
    print(base64.b64encode(bytes(seed.verify_key)).decode())
elif command == "check":
    message, ip, mail_from, helo, port = sys.argv[2:7]
    port = int(port)
    use_server(port)
    print("spf mail-from", spf.check2(i=ip, s=mail_from, h=helo)[0])
    print("spf helo", spf.check2(i=ip, s="postmaster@" + helo, h=helo)[0])
    data = open(message, "rb").read()
    verifier = dkim.DKIM(data)
    count = sum(1 for line in data.split(b"\r\n\r\n")[0].split(b"\n") if line.lower().startswith(b"dkim-signature:"))
    lookup = txt(port)
    for index in range(count):
        try:
            ok = verifier.verify(idx=index, dnsfunc=lookup)
        except dkim.ValidationError:  # a body hash mismatch, which dkimverify reports as a failed signature
            ok = False
        print("dkim", verifier.domain.decode(), verifier.selector.decode(), "pass" if ok else "fail")
else:
    sys.exit(__doc__)
