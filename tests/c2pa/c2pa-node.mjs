// What sign.mjs and verify.mjs share: loading c2pa-rs (WebAssembly) under Node, a COSE_Sign1 signer over a PEM key,
// a generated PNG, and reading the remote-manifest reference out of an asset's XMP.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

const require = createRequire(import.meta.url);

/**
 * A Blob that keeps its bytes beside it. c2pa-wasm reads Blobs with FileReaderSync, a Web Worker API Node lacks;
 * the shim below answers from these bytes (slices stay ByteBlobs, so every Blob it is handed can be read).
 */
export class ByteBlob extends Blob {
  constructor(bytes, type = '') {
    super([bytes], { type });
    this.bytes = bytes;
  }

  slice(start, end, type) {
    return new ByteBlob(this.bytes.slice(start, end), type ?? '');
  }
}

let c2paModule;

/** Loads @contentauth/c2pa-wasm once (initSync with the .wasm bytes works under Node 20; the default fetch does not). */
export async function loadC2paWasm() {
  if (!c2paModule) {
    globalThis.FileReaderSync ??= class {
      readAsArrayBuffer(blob) {
        if (!(blob instanceof ByteBlob)) {
          throw new TypeError('FileReaderSync shim: only ByteBlob instances can be read');
        }
        return blob.bytes.slice().buffer;
      }
    };
    const module = await import('@contentauth/c2pa-wasm');
    module.initSync({ module: readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });
    c2paModule = module;
  }
  return c2paModule;
}

// --- CBOR (only what a COSE_Sign1 needs) -------------------------------------------------------
function cborHead(major, value) {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(value, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(value, 1);
  return b;
}

function cbor(value) {
  if (value === null) return Buffer.from([0xf6]);
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(cbor)]);
  if (value instanceof Map) {
    return Buffer.concat([cborHead(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  }
  if (value && typeof value.tag === 'number') return Buffer.concat([cborHead(6, value.tag), cbor(value.value)]);
  throw new TypeError(`cannot encode ${value} as CBOR`);
}

function pemCertificates(pem) {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)]
    .map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/**
 * An ES256 signer definition for WasmBuilder.sign*. c2pa-wasm hands the claim bytes to the callback and expects a
 * complete COSE_Sign1 back (its signer does "direct COSE handling"; a bare ECDSA signature fails with
 * CoseTimeStampGeneration): protected header {alg: ES256, x5chain: [leaf, ...]}, detached payload, P-1363 signature.
 */
export function coseSigner(certChainPemPath, keyPemPath) {
  const chain = pemCertificates(readFileSync(certChainPemPath, 'utf8'));
  if (chain.length === 0) throw new Error(`no certificate in ${certChainPemPath}`);
  const key = crypto.createPrivateKey(readFileSync(keyPemPath));
  return {
    alg: 'es256',
    reserveSize: 10240,
    sign: async (claimBytes) => {
      const protectedHeader = cbor(new Map([[1, -7], [33, chain]]));
      const toBeSigned = cbor(['Signature1', protectedHeader, new Uint8Array(0), Buffer.from(claimBytes)]);
      const signature = crypto.sign('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' });
      return new Uint8Array(cbor({ tag: 18, value: [protectedHeader, new Map(), null, signature] }));
    },
  };
}

// --- PNG --------------------------------------------------------------------------------------
function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typed) >>> 0);
  return Buffer.concat([length, typed, crc]);
}

/** A small RGB PNG whose pixels depend on seed (different seeds give different images). */
export function generatePng(seed, width = 32, height = 32) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * stride + 1 + x * 3;
      raw[o] = (x * 7 + seed) & 0xff;
      raw[o + 1] = (y * 5 + seed * 3) & 0xff;
      raw[o + 2] = (x * y + seed * 11) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The remote manifest URL an asset carries: the XMP dcterms:provenance value (C2PA "Embedding a Reference to an
 * external Manifest"), as an attribute or an element. Null when the asset has none.
 */
export function provenanceReference(assetBytes) {
  const text = Buffer.from(assetBytes).toString('latin1');
  const match = text.match(/dcterms:provenance="([^"]*)"/) ?? text.match(/<dcterms:provenance>([^<]*)<\/dcterms:provenance>/);
  return match ? match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>') : null;
}

/** --name value pairs (and bare --flags) from process.argv. Unknown names are an error. */
export function parseArgs(argv, known, flags = []) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(known.includes(name) || flags.includes(name))) {
      throw new Error(`unknown argument ${argv[i]}; expected ${[...known, ...flags].map((n) => `--${n}`).join(', ')}`);
    }
    if (flags.includes(name)) {
      options[name] = true;
    } else {
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      options[name] = argv[++i];
    }
  }
  return options;
}

/** Runs main; a usage or tool error prints one line on stderr and exits 2 (a verdict, valid or not, exits 0). */
export function run(main) {
  main().catch((error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(2);
  });
}
