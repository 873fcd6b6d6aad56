#!/usr/bin/env python3
"""Writes a C2PA manifest store (application/c2pa JUMBF) of exactly SIZE bytes for the benchmark:

    python3 make_store.py OUT SIZE [LABEL]

One standard manifest (c2ma) labelled LABEL (a new urn:c2pa:UUID by default) with an assertion store (c2pa.actions.v2
and one CBOR assertion carrying random bytes, as a thumbnail carries incompressible JPEG bytes), a claim and a
signature box: what the strict JUMBF reader accepts. The signature is not a real COSE signature; the benchmark
measures storing and serving bytes, not validation.
"""
import os
import struct
import sys
import uuid

UUID_SUFFIX = bytes([0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


def box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def superbox(code, label, *children):
    description = box(b"jumd", code + UUID_SUFFIX + b"\x03" + label.encode() + b"\x00")
    return box(b"jumb", description + b"".join(children))


def cbor_head(major, value):
    if value < 24:
        return bytes([(major << 5) | value])
    for size, fmt, extra in ((0x100, ">B", 24), (0x10000, ">H", 25), (0x100000000, ">I", 26)):
        if value < size:
            return bytes([(major << 5) | extra]) + struct.pack(fmt, value)
    return bytes([(major << 5) | 27]) + struct.pack(">Q", value)


def cbor(value):
    if isinstance(value, bytes):
        return cbor_head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return cbor_head(3, len(data)) + data
    if isinstance(value, list):
        return cbor_head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        return cbor_head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


def store(label, payload):
    assertion = lambda name, value: superbox(b"cbor", name, box(b"cbor", cbor(value)))
    manifest = superbox(b"c2ma", label,
                        superbox(b"c2as", "c2pa.assertions",
                                 assertion("c2pa.actions.v2", {"actions": [{"action": "c2pa.created"}]}),
                                 assertion("com.example.perf.payload", {"data": payload})),
                        superbox(b"c2cl", "c2pa.claim.v2", box(b"cbor", cbor({"instanceID": "xmp:iid:perf", "alg": "sha256"}))),
                        superbox(b"c2cs", "c2pa.signature", box(b"cbor", cbor(bytes(64)))))
    return superbox(b"c2pa", "c2pa", manifest)


def main():
    out, size = sys.argv[1], int(sys.argv[2])
    label = sys.argv[3] if len(sys.argv) > 3 else f"urn:c2pa:{uuid.uuid4()}"
    # The payload's CBOR head grows with its length: settle the length in two passes.
    overhead = len(store(label, b""))
    payload_length = size - overhead
    payload_length -= len(store(label, bytes(payload_length))) - size
    data = store(label, os.urandom(payload_length))
    assert len(data) == size, (len(data), size)
    with open(out, "wb") as f:
        f.write(data)
    print(label)


if __name__ == "__main__":
    main()
