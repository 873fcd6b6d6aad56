#!/usr/bin/env node
// Validates an asset against its remote manifest store with two independent C2PA readers and prints a JSON verdict.
//
//   node verify.mjs --asset A.png [--store-url URL | --store S.c2pa]
//
// c2pa-ts (a TypeScript implementation) validates the store fetched over HTTP from --store-url (default: the
// asset's own dcterms:provenance reference) or read from --store. c2pa-rs (@contentauth/c2pa-wasm) reads the asset
// and fetches the store itself from the asset's reference, as a verifier in the wild does; it has no way to take a
// store from a file, so with --store it is listed under "notRun".
// The verdict is valid when every reader that ran found the claim signature and the hard binding valid, reported no
// failure other than the tolerated signingCredential.untrusted (test certificates chain to no trust anchor), and
// agreed on the active manifest; and, for a URL, the store was served 200 as application/c2pa.
// Exits 0 with a verdict (valid or not); 2 on a usage or tool error.
import { readFileSync } from 'node:fs';
import { PNG } from '@trustnxt/c2pa-ts/asset';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { ManifestStore, ValidationResult } from '@trustnxt/c2pa-ts/manifest';
import { loadC2paWasm, parseArgs, provenanceReference, run } from './c2pa-node.mjs';

const TOLERATED = ['signingCredential.untrusted'];
const SIGNATURE_VALID = 'claimSignature.validated';
const HARD_BINDING_MATCH = ['assertion.dataHash.match', 'assertion.boxesHash.match', 'assertion.bmffHash.match', 'assertion.collectionHash.match'];
const FETCH_TIMEOUT_MS = 30_000;

function summarize(name, activeManifest, success, informational, failure, error = null) {
  return {
    name,
    activeManifest: activeManifest ?? null,
    signatureValid: error === null && success.includes(SIGNATURE_VALID) && !failure.some((c) => c.startsWith('claimSignature.')),
    hardBindingValid: error === null && success.some((c) => HARD_BINDING_MATCH.includes(c))
      && !failure.some((c) => /^assertion\.(dataHash|boxesHash|bmffHash|collectionHash)\./.test(c)),
    success,
    informational,
    failure,
    error,
  };
}

async function fetchStore(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, contentType: response.headers.get('content-type'), bytes };
}

async function readWithC2paTs(assetBytes, storeBytes) {
  let label = null;
  let result;
  try {
    const store = ManifestStore.read(SuperBox.fromBuffer(storeBytes));
    label = store.getActiveManifest()?.label ?? null;
    result = await store.validate(new PNG(assetBytes));
  } catch (error) {
    result = ValidationResult.fromError(error);
  }
  const entries = result.statusEntries;
  return summarize('c2pa-ts', label,
    entries.filter((e) => e.success).map((e) => e.code), [], entries.filter((e) => !e.success).map((e) => e.code));
}

async function readWithC2paRs(assetBytes) {
  const c2pa = await loadC2paWasm();
  try {
    const reader = await c2pa.WasmReader.fromBytes('image/png', assetBytes);
    const results = reader.manifestStore().validation_results ?? {};
    const active = results.activeManifest ?? { success: [], informational: [], failure: [] };
    const codes = (list) => (list ?? []).map((s) => s.code);
    // A broken ingredient manifest is a failure of the whole store, not only of the ingredient.
    const ingredientFailures = (results.ingredientDeltas ?? []).flatMap((d) => codes(d.validationDeltas?.failure));
    return summarize('c2pa-wasm', reader.activeLabel(),
      codes(active.success), codes(active.informational), [...codes(active.failure), ...ingredientFailures]);
  } catch (error) {
    return summarize('c2pa-wasm', null, [], [], [], String(error?.message ?? error));
  }
}

run(async () => {
  const args = parseArgs(process.argv.slice(2), ['asset', 'store-url', 'store']);
  if (!args.asset) throw new Error('--asset is required');
  if (args['store-url'] && args.store) throw new Error('give --store-url or --store, not both');

  const assetBytes = new Uint8Array(readFileSync(args.asset));
  if (!PNG.canRead(assetBytes)) throw new Error(`${args.asset} is not a PNG`);
  const remoteUrl = provenanceReference(assetBytes);
  const storeUrl = args.store ? null : (args['store-url'] ?? remoteUrl);
  if (!args.store && !storeUrl) throw new Error('the asset carries no dcterms:provenance reference; give --store-url or --store');

  let fetched = null;
  let storeBytes;
  if (args.store) {
    storeBytes = new Uint8Array(readFileSync(args.store));
  } else {
    fetched = await fetchStore(storeUrl);
    storeBytes = fetched.bytes;
  }

  const readers = [await readWithC2paTs(assetBytes, storeBytes)];
  const notRun = {};
  if (remoteUrl && !args.store) {
    readers.push(await readWithC2paRs(assetBytes));
  } else {
    notRun['c2pa-wasm'] = args.store
      ? 'c2pa-rs reads a remote store only through the reference in the asset, not from a file'
      : 'the asset carries no remote manifest reference';
  }

  const labels = new Set(readers.map((r) => r.activeManifest));
  const servedRight = fetched === null
    || (fetched.status === 200 && (fetched.contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/c2pa');
  const valid = servedRight && labels.size === 1 && readers.every((r) => r.error === null && r.activeManifest !== null
    && r.signatureValid && r.hardBindingValid && r.failure.every((c) => TOLERATED.includes(c)));

  process.stdout.write(`${JSON.stringify({
    valid,
    activeManifest: labels.size === 1 ? [...labels][0] : null,
    remoteUrl,
    storeUrl,
    fetch: fetched && { status: fetched.status, contentType: fetched.contentType, bytes: fetched.bytes.length },
    tolerated: TOLERATED,
    readers,
    notRun,
  })}\n`);
});
