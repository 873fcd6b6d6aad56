import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ProofStorageClient } from "../src/index.js";
import { manifestStore } from "./jumbf.js";
import { startService, type RunningService } from "./service.js";

const WATERMARK = "com.digimarc.validate.1";

describe("ProofStorageClient and C2PA manifest stores against the service", () => {
  let service: RunningService;
  let client: ProofStorageClient;

  before(async () => {
    service = await startService();
    client = new ProofStorageClient({ baseUrl: service.baseUrl, apiKey: service.apiKey });
  });

  after(async () => {
    await service?.stop();
  });

  it("stores a manifest store raw, finds it by binding and by manifest id, serves it byte for byte, and deletes it", async () => {
    const label = `urn:c2pa:${randomUUID()}`;
    const bytes = manifestStore(label);
    const hash = createHash("sha256").update(randomUUID()).digest("hex");
    const binding = { alg: WATERMARK, value: randomBytes(12).toString("base64") };

    const stored = await client.storeManifestStore({ manifestStore: bytes, imageHash: hash, metadata: { source: "ts-c2pa" }, softBindings: [binding] });

    assert.equal(stored.deduplicated, false);
    assert.equal(stored.manifestId, label);
    assert.equal(stored.imageHash, hash);
    const record = await client.getProof(stored.proofId);
    assert.ok(record.status === "ok");
    assert.equal(record.record.manifestId, label);
    assert.equal(record.record.proofMediaType, "application/c2pa");
    assert.deepEqual(record.record.metadata, { source: "ts-c2pa" });
    assert.deepEqual(record.record.softBindings, [binding]);
    const byProof = await client.getProofManifest(stored.proofId);
    assert.ok(byProof.status === "ok");
    assert.equal(byProof.mediaType, "application/c2pa");
    assert.deepEqual(await byProof.bytes(), bytes);
    const byManifestId = await client.getManifest(label);
    assert.ok(byManifestId.status === "ok");
    assert.equal(byManifestId.mediaType, "application/c2pa");
    assert.deepEqual(await byManifestId.bytes(), bytes);
    assert.equal((await client.getManifest(label, { ifNoneMatch: byManifestId.etag })).status, "not-modified");
    const activeOnly = await client.getManifest(label, { returnActiveManifest: true });
    assert.ok(activeOnly.status === "ok");
    assert.deepEqual(await activeOnly.bytes(), bytes); // one manifest: the store is its active manifest
    assert.deepEqual(await client.findManifestsByBinding(binding), [{ manifestId: label }]);
    assert.ok((await client.getSupportedAlgorithms()).watermarks.some((w) => w.alg === WATERMARK));

    assert.equal(await client.deleteManifest(label), true);

    assert.deepEqual(await client.findManifestsByBinding(binding), []);
    assert.equal((await client.getManifest(label)).status, "not-found");
    assert.equal(await client.deleteManifest(label), false);
  });

  it("stores through the decoupled profile: addManifest answers the manifest id, addBinding binds a value the store declares only", async () => {
    const label = `urn:c2pa:${randomUUID()}`;
    const declared = randomBytes(16);
    const bytes = manifestStore(label, [{ alg: WATERMARK, value: declared }]);

    assert.equal(await client.addManifest(bytes), label);
    assert.equal(await client.addManifest(bytes), label); // again: the same manifest, stored once

    assert.equal(await client.addBinding(label, declared.toString("base64")), true);
    assert.equal(await client.addBinding(label, randomBytes(16).toString("base64")), false);
    assert.deepEqual(await client.findManifestsByBinding({ alg: WATERMARK, value: declared.toString("base64") }), [{ manifestId: label }]);
    const served = await client.getManifest(label);
    assert.ok(served.status === "ok");
    assert.deepEqual(await served.bytes(), bytes);
  });
});
