/**
 * A well-formed C2PA manifest store (JUMBF) for the client tests, as tests/ProofStorage.Testing's Jumbf.ManifestStoreBytes
 * builds it: one standard manifest labelled `label` with an assertion store (c2pa.actions.v2, and a c2pa.soft-binding
 * assertion per declared binding), a claim and a signature box. The signature is not a real COSE signature: the service
 * checks the store's structure, not its signature.
 */
const UUID_SUFFIX = [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

type Cbor = string | Uint8Array | Cbor[] | { [key: string]: Cbor };

function box(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(payload, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function superbox(code: string, label: string, ...children: Uint8Array[]): Uint8Array {
  const description = concat([new TextEncoder().encode(code), Uint8Array.from(UUID_SUFFIX), Uint8Array.of(0x03), new TextEncoder().encode(label), Uint8Array.of(0)]);
  return box("jumb", concat([box("jumd", description), ...children]));
}

function head(major: number, value: number): Uint8Array {
  if (value < 24) return Uint8Array.of((major << 5) | value);
  if (value < 0x100) return Uint8Array.of((major << 5) | 24, value);
  if (value < 0x10000) return Uint8Array.of((major << 5) | 25, value >> 8, value & 0xff);
  return Uint8Array.of((major << 5) | 26, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

function cbor(value: Cbor): Uint8Array {
  if (value instanceof Uint8Array) return concat([head(2, value.length), value]);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    return concat([head(3, bytes.length), bytes]);
  }
  if (Array.isArray(value)) return concat([head(4, value.length), ...value.map(cbor)]);
  const entries = Object.entries(value);
  return concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const assertion = (label: string, value: Cbor): Uint8Array => superbox("cbor", label, box("cbor", cbor(value)));

export function manifestStore(label: string, softBindings: { alg: string; value: Uint8Array }[] = []): Uint8Array {
  const assertions = [
    assertion("c2pa.actions.v2", { actions: [] }),
    ...softBindings.map((b, i) =>
      assertion(i === 0 ? "c2pa.soft-binding" : `c2pa.soft-binding__${i}`, { alg: b.alg, blocks: [{ scope: {}, value: b.value }], pad: Uint8Array.of(0) }),
    ),
  ];
  const manifest = superbox(
    "c2ma",
    label,
    superbox("c2as", "c2pa.assertions", ...assertions),
    superbox("c2cl", "c2pa.claim.v2", box("cbor", cbor({ instanceID: "xmp:iid:test", alg: "sha256" }))),
    superbox("c2cs", "c2pa.signature", box("cbor", cbor(new Uint8Array(64)))),
  );
  return superbox("c2pa", "c2pa", manifest);
}
