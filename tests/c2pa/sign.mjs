#!/usr/bin/env node
// Signs a generated PNG with c2pa-rs (@contentauth/c2pa-wasm) and writes two files: the asset, which carries only a
// reference to a remote manifest (XMP dcterms:provenance = --remote-url, no embedded manifest), and the manifest
// store (application/c2pa JUMBF bytes) that the URL is meant to serve.
//
//   node sign.mjs --cert CHAIN.pem --key KEY.pem --remote-url URL --out-asset A.png --out-store S.c2pa
//                 [--seed N] [--soft-binding-alg ALG --soft-binding-value BASE64] [--with-parent] [--label URN]
//
// CHAIN.pem: the ES256 signing certificate first, then its issuers; KEY.pem: its PKCS#8 private key.
// The manifest has a c2pa.actions assertion and the c2pa.hash.data hard binding, plus a c2pa.soft-binding assertion
// when --soft-binding-alg is given. --with-parent first signs a parent image with an embedded manifest and adds it as
// the parentOf ingredient, so the store holds two manifests (the parent's, then the active one). --label presets the active
// manifest's label (urn:c2pa:UUID), so a remote URL can name it before signing (…/manifests/<label>).
// Prints one JSON object: {"activeManifest", "parentManifest", "assetBytes", "storeBytes"}; the labels are read back
// from the written store by c2pa-rs itself.
import { writeFileSync } from 'node:fs';
import { ByteBlob, coseSigner, generatePng, loadC2paWasm, parseArgs, run } from './c2pa-node.mjs';

const GENERATOR = [{ name: 'ProofStorage tests', version: '1.0.0' }];
const DIGITAL_CREATION = 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation';

run(async () => {
  const args = parseArgs(process.argv.slice(2),
    ['cert', 'key', 'remote-url', 'out-asset', 'out-store', 'seed', 'soft-binding-alg', 'soft-binding-value', 'label'], ['with-parent']);
  for (const required of ['cert', 'key', 'remote-url', 'out-asset', 'out-store']) {
    if (!args[required]) throw new Error(`--${required} is required`);
  }
  if (Boolean(args['soft-binding-alg']) !== Boolean(args['soft-binding-value'])) {
    throw new Error('--soft-binding-alg and --soft-binding-value go together');
  }

  const c2pa = await loadC2paWasm();
  const signer = coseSigner(args.cert, args.key);
  const seed = Number.parseInt(args.seed ?? '1', 10);
  let source = new Uint8Array(generatePng(seed));

  const assertions = [];
  let parentManifest = null;
  let parentIngredient = null;
  if (args['with-parent']) {
    const parent = c2pa.WasmBuilder.fromJson(JSON.stringify({
      claim_generator_info: GENERATOR,
      title: 'parent.png',
      format: 'image/png',
      assertions: [{ label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.created', digitalSourceType: DIGITAL_CREATION }] } }],
    }));
    const signedParent = await parent.signAndGetManifestBytes(signer, [], 'image/png', new ByteBlob(source, 'image/png'));
    parentManifest = (await c2pa.WasmReader.fromBytes('image/png', signedParent.asset)).activeLabel();
    source = signedParent.asset;
    parentIngredient = { title: 'parent.png', relationship: 'parentOf', label: 'parent' };
    assertions.push({ label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.opened', parameters: { ingredientIds: ['parent'] } }] } });
  } else {
    assertions.push({ label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.created', digitalSourceType: DIGITAL_CREATION }] } });
  }

  if (args['soft-binding-alg']) {
    // c2pa-rs writes a block value given in JSON as a CBOR text string (the spec's CDDL says bstr; readers take both).
    assertions.push({
      label: 'c2pa.soft-binding',
      data: { alg: args['soft-binding-alg'], blocks: [{ scope: {}, value: args['soft-binding-value'] }], pad: [] },
    });
  }

  const builder = c2pa.WasmBuilder.fromJson(JSON.stringify({
    claim_generator_info: GENERATOR,
    title: 'image.png',
    format: 'image/png',
    assertions,
    ...(args.label ? { label: args.label } : {}),
  }));
  if (parentIngredient) {
    await builder.addIngredientFromBlob(JSON.stringify(parentIngredient), 'image/png', new ByteBlob(source, 'image/png'));
  }
  builder.setRemoteUrl(args['remote-url']);
  builder.setNoEmbed(true);
  const signed = await builder.signAndGetManifestBytes(signer, [], 'image/png', new ByteBlob(source, 'image/png'));

  writeFileSync(args['out-asset'], signed.asset);
  writeFileSync(args['out-store'], signed.manifest);
  const store = await c2pa.WasmReader.fromBytes('application/c2pa', signed.manifest);
  process.stdout.write(`${JSON.stringify({
    activeManifest: store.activeLabel() ?? null,
    parentManifest,
    assetBytes: signed.asset.length,
    storeBytes: signed.manifest.length,
  })}\n`);
});
