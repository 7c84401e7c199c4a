#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ (committed; rerun only to change them).

Seeds are small, valid or nearly valid inputs for each target's input format (see the comment at
the top of each *Fuzz.cpp), so that a short CI run starts from the interesting shapes instead of
from nothing. Keys for the SPKI seeds come from `openssl genpkey`.
"""
import base64
import json
import os
import pathlib
import shutil
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"


def write(target, name, data):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def frame(body):
    body = body.encode() if isinstance(body, str) else body
    return struct.pack("=I", len(body)) + body


def frame_decoder():
    # byte 0: bit 0 Skip policy, bit 1 keep an 8-byte prefix, bits 2-7 limit/4; byte 1: chunking.
    limit64 = 16 << 2
    write("frame_decoder", "two-frames", bytes([limit64, 7]) + frame('{"id":1}') + frame("[]"))
    write("frame_decoder", "empty-frame", bytes([limit64, 3]) + frame("") + frame("x"))
    write("frame_decoder", "oversized-stop", bytes([4 << 2, 5]) + frame("too long for 16") + frame("ok"))
    write("frame_decoder", "oversized-skip", bytes([(4 << 2) | 1, 9]) + frame("x" * 40) + frame("ok"))
    write("frame_decoder", "oversized-prefix",
          bytes([(4 << 2) | 3, 11]) + frame('{"id":7,"method":"x"}') + frame("ok"))
    write("frame_decoder", "huge-length", bytes([limit64, 1]) + b"\xff\xff\xff\xff" + b"abc")
    write("frame_decoder", "truncated-body", bytes([limit64, 2]) + struct.pack("=I", 10) + b"abc")
    write("frame_decoder", "truncated-header", bytes([limit64, 2]) + frame("a") + b"\x05\x00")


def jsonrpc():
    # byte 0: 0 = WebSocket (origin attested by the transport), 1 = native messaging.
    cert = "pkcs11:token=Demo;id=%01;type=cert"
    nonce = base64.b64encode(bytes(range(32))).decode()
    doc = base64.b64encode(b"%PDF-1.4 hola").decode()
    requests = {
        "agent-info": ("agent.info", None),
        "tokens-list": ("tokens.list", {}),
        "certificates-list": ("certificates.list", {"token": "Demo"}),
        "sign-challenge": ("auth.sign_challenge", {"certificate": cert, "nonce": nonce}),
        "documents-sign": ("documents.sign",
                           {"certificate": cert, "document": doc, "fileName": "factura.pdf"}),
        "renewal-begin": ("renewal.begin", {"certificate": cert, "keyType": "rsa-2048"}),
        "renewal-prove": ("renewal.prove_possession", {"renewalId": "r-1", "nonce": nonce}),
        "renewal-letter": ("renewal.sign_letter", {"renewalId": "r-1", "stage": "acceptance",
                                                   "document": doc, "fileName": "carta.pdf"}),
        "renewal-install": ("renewal.install_certificate",
                            {"renewalId": "r-1", "certificate": doc, "chain": [doc]}),
        "renewal-status": ("renewal.status", {"renewalId": None}),
        "renewal-finish": ("renewal.finish", {"renewalId": "r-1", "retireOld": True}),
    }
    for name, (method, params) in requests.items():
        request = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            request["params"] = params
        write("jsonrpc", name + "-ws", b"\x00" + json.dumps(request).encode())
        request["origin"] = "https://portal.example"
        request["id"] = "abc"
        write("jsonrpc", name + "-nm", b"\x01" + json.dumps(request).encode())
    write("jsonrpc", "pin-member", '\x00{"jsonrpc":"2.0","id":2,"method":"tokens.list","params":{"pin":"1234"}}')
    write("jsonrpc", "deep", "\x00" + "[" * 40 + "]" * 40)
    write("jsonrpc", "bad-utf8", b'\x00{"jsonrpc":"2.0","id":"\xc3\x28","method":"agent.info"}')
    write("jsonrpc", "not-object", "\x00[1,2,3]")


def uri():
    for name, text in {
        "token": "pkcs11:token=Demo",
        "key": "pkcs11:token=Demo;id=%01%02;type=private",
        "cert": "pkcs11:token=Mi%20Token;manufacturer=SoftHSM%20project;serial=abc;object=Cert;type=cert",
        "model": "pkcs11:model=SoftHSM%20v2;slot-id=1;library-version=2.6",
        "query": "pkcs11:token=Demo?pin-value=1234",
        "bad-escape": "pkcs11:object=%4",
        "empty-parts": "pkcs11:;;token=a;;",
    }.items():
        write("uri", name, text)


def letter():
    # byte 0: bit 2 mustAppear, bits 3+ heading set (0 new key, 1 previous key, 2 previous letter);
    # then the key bytes, a NUL, and the letter text.
    key = bytes.fromhex("0382010f003082010a02820101")
    hexkey = " ".join(f"{b:02x}" for b in key)
    write("letter", "genuine", bytes([4]) + key + b"\0" +
          f"Carta de Aceptación\nLlave Pública Nueva:\n{hexkey.upper()}\nAtentamente".encode())
    write("letter", "foreign", bytes([4]) + key + b"\0" +
          f"LLAVE PÚBLICA NUEVA 03 82 01 0f 00 aa bb\n{hexkey}".encode())
    write("letter", "longer", bytes([4]) + key + b"\0" + f"llave publica nueva - {hexkey} 01 00".encode())
    write("letter", "previous-key", bytes([8]) + key + b"\0" + f"Llave Pública Anterior: {hexkey}".encode())
    write("letter", "previous-hash", bytes([16 | 4]) + bytes(20) + b"\0" +
          ("Cadena de identificación de carta anterior: " + " ".join(["00"] * 20)).encode())
    write("letter", "nbsp", bytes([4]) + key + b"\0" + f"Llave\u00a0Pública\tNueva {hexkey}".encode())


def letter_pdf():
    text = "Llave Publica Nueva: 03 82 01 0f 00 30 82 01 0a"
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    write("letter_pdf", "one-page", out)
    write("letter_pdf", "not-pdf", b"hola")
    write("letter_pdf", "truncated", out[: len(out) // 2])


def spki():
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in {
            "rsa-1024": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            "ec-p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "ed25519": ["-algorithm", "ED25519"],
        }.items():
            key = os.path.join(tmp, name)
            subprocess.run(["openssl", "genpkey", *args, "-out", key], check=True,
                           capture_output=True)
            der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"],
                                 check=True, capture_output=True).stdout
            write("spki", name, der)
    write("spki", "long-form-length", bytes([0x30, 0x81, 0x05, 0x30, 0x00, 0x03, 0x01, 0x00]))
    write("spki", "five-length-bytes", bytes([0x30, 0x85, 1, 0, 0, 0, 0]))


def assuan():
    for name, text in {
        "plain": "Firmar el documento «factura.pdf»",
        "newline": "línea uno\nlínea dos\r\n",
        "percent": "100% seguro %25 %0A",
        "data-line": "1234%0A%25",
        "bad-escape": "12%zz",
        "trailing-percent": "abc%4",
    }.items():
        write("assuan", name, text)


def upgrade():
    # byte 0: bit 0 set = port 80, else port 8765; then the HTTP request.
    def request(host, origin="https://portal.example", extra=""):
        return ("GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                "Origin: %s\r\n%s\r\n") % (host, origin, extra)
    write("upgrade", "valid", "\x00" + request("127.0.0.1:8765"))
    write("upgrade", "valid-ipv6", "\x00" + request("[::1]:8765"))
    write("upgrade", "port-80", "\x01" + request("LOCALHOST"))
    write("upgrade", "rebinding", "\x00" + request("attacker.example:8765"))
    write("upgrade", "two-origins", "\x00" + request("127.0.0.1:8765", extra="Origin: https://b.example\r\n"))
    write("upgrade", "null-origin", "\x00" + request("127.0.0.1:8765", origin="null"))
    write("upgrade", "extension-origin", "\x00" + request("localhost:8765",
                                                         origin="chrome-extension://abcdefghijklmnop"))
    write("upgrade", "plain-get", "\x00GET / HTTP/1.1\r\nHost: 127.0.0.1:8765\r\n\r\n")


if __name__ == "__main__":
    shutil.rmtree(ROOT, ignore_errors=True)
    for make in (frame_decoder, jsonrpc, uri, letter, letter_pdf, spki, assuan, upgrade):
        make()
