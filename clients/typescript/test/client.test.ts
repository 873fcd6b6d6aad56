import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ProofStorageClient, ProofStorageError } from "../src/index.js";
import { startService, type RunningService } from "./service.js";

/** A valid image hash, different per call. */
function imageHash(): string {
  return createHash("sha256").update(randomUUID()).digest("hex");
}

async function rejectsWith(promise: Promise<unknown>, status: number, slug: string): Promise<ProofStorageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProofStorageError, `expected a ProofStorageError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.slug, slug);
    assert.equal(error.type, `urn:proofstorage:problem:${slug}`);
    assert.match(error.traceId ?? "", /^[0-9a-f]{32}$/);
    return error;
  }
  assert.fail(`expected ${status} ${slug}`);
}

describe("ProofStorageClient against the service", () => {
  let service: RunningService;
  let client: ProofStorageClient;

  before(async () => {
    service = await startService();
    client = new ProofStorageClient({ baseUrl: service.baseUrl, apiKey: service.apiKey });
  });

  after(async () => {
    await service?.stop();
  });

  it("stores a proof and reads it back by id and by image, the proof text byte for byte", async () => {
    const hash = imageHash();
    // Number forms, escapes and spacing that JSON.parse + JSON.stringify would not keep.
    const proofJson = '{"claim" : {"alg":"sha256","n":1.0,"big":12345678901234567890,"e":1e2},"sig":"\\u00e9\\/x", "list":[ ]}';

    const stored = await client.storeProof({ imageHash: hash, proofJson, metadata: { source: "ts-client" } });

    assert.equal(stored.deduplicated, false);
    assert.equal(stored.imageHash, hash);
    assert.equal(stored.location, `/v1/proofs/${stored.proofId}`);
    const byId = await client.getProof(stored.proofId);
    assert.equal(byId.status, "ok");
    assert.ok(byId.status === "ok");
    assert.equal(byId.record.proofJson, proofJson);
    assert.deepEqual(byId.record.metadata, { source: "ts-client" });
    assert.equal(byId.record.imageHash, hash);
    const byImage = await client.getProofByImage(hash);
    assert.ok(byImage.status === "ok");
    assert.equal(byImage.record.proofId, stored.proofId);
    assert.equal(byImage.record.proofJson, proofJson);
    const manifest = await client.getProofManifest(stored.proofId);
    assert.ok(manifest.status === "ok");
    assert.match(manifest.mediaType, /^application\/json/);
    assert.equal(await manifest.text(), proofJson);
  });

  it("deduplicates a second store of the same image: same id, first proof kept", async () => {
    const hash = imageHash();
    const first = await client.storeProof({ imageHash: hash, proofJson: '{"v":1}' });

    const second = await client.storeProof({ imageHash: hash, proofJson: '{"v":2}' });

    assert.equal(second.deduplicated, true);
    assert.equal(second.proofId, first.proofId);
    assert.equal(second.location, undefined);
    const read = await client.getProof(first.proofId);
    assert.ok(read.status === "ok");
    assert.equal(read.record.proofJson, '{"v":1}');
  });

  it("answers HEAD with the ETag and If-None-Match with not-modified", async () => {
    const stored = await client.storeProof({ imageHash: imageHash(), proofJson: '{"head":true}' });

    const head = await client.headProof(stored.proofId);
    assert.ok(head.status === "ok");
    assert.match(head.etag, /^"[^"]+"$/);
    assert.match(head.cacheControl ?? "", /immutable/);
    assert.equal(head.link, `</v1/proofs/${stored.proofId}/manifest>; rel="c2pa-manifest"`);

    assert.equal((await client.getProof(stored.proofId, { ifNoneMatch: head.etag })).status, "not-modified");
    assert.equal((await client.headProof(stored.proofId, { ifNoneMatch: head.etag })).status, "not-modified");
    assert.equal((await client.getProofByImage(stored.imageHash!, { ifNoneMatch: head.etag })).status, "not-modified");
    const byImage = await client.headProofByImage(stored.imageHash!);
    assert.ok(byImage.status === "ok");
    assert.equal(byImage.etag, head.etag);

    const manifestHead = await client.headProofManifest(stored.proofId);
    assert.ok(manifestHead.status === "ok");
    assert.notEqual(manifestHead.etag, head.etag);
    assert.equal((await client.getProofManifest(stored.proofId, { ifNoneMatch: manifestHead.etag })).status, "not-modified");
    // Another tag is not a match.
    assert.equal((await client.getProof(stored.proofId, { ifNoneMatch: '"other"' })).status, "ok");
  });

  it("reports a proof that does not exist as not-found", async () => {
    assert.equal((await client.getProof("NoSuchProof0000000000a")).status, "not-found");
    assert.equal((await client.getProofByImage(imageHash())).status, "not-found");
    assert.equal((await client.headProof("NoSuchProof0000000000a")).status, "not-found");
    assert.equal((await client.getProofManifest("NoSuchProof0000000000a")).status, "not-found");
    assert.equal(await client.getProofUrl("NoSuchProof0000000000a"), null);
  });

  it("stores a batch with one result per item, a bad item failing alone", async () => {
    const existing = await client.storeProof({ imageHash: imageHash(), proofJson: '{"batch":"before"}' });

    const results = await client.storeProofBatch([
      { imageHash: imageHash(), proofJson: '{"batch":0}' },
      { imageHash: "not-a-sha256", proofJson: '{"batch":1}' },
      { imageHash: existing.imageHash!, proofJson: '{"batch":2}' },
    ]);

    assert.deepEqual(results.map((r) => r.status), [201, 400, 200]);
    assert.deepEqual(results.map((r) => r.index), [0, 1, 2]);
    assert.equal(results[1]?.type, "urn:proofstorage:problem:validation");
    assert.match(results[1]?.error ?? "", /imageHash/);
    assert.equal(results[2]?.proofId, existing.proofId);
    assert.equal(results[2]?.deduplicated, true);
  });

  it("looks up many ids: records found with their exact proof text, and the ids missing", async () => {
    const a = await client.storeProof({ imageHash: imageHash(), proofJson: '[1, 2.50, "a"]' });
    const b = await client.storeProof({ imageHash: imageHash(), proofJson: '"just a string"' });

    const result = await client.lookupProofs([a.proofId, "MissingProof000000000a", b.proofId]);

    assert.deepEqual(result.found.map((r) => r.proofId), [a.proofId, b.proofId]);
    assert.deepEqual(result.found.map((r) => r.proofJson), ['[1, 2.50, "a"]', '"just a string"']);
    assert.deepEqual(result.missing, ["MissingProof000000000a"]);
  });

  it("deletes a proof: then it is not found, and a second delete says so", async () => {
    const stored = await client.storeProof({ imageHash: imageHash(), proofJson: "{}" });

    assert.equal(await client.deleteProof(stored.proofId), true);

    assert.equal((await client.getProof(stored.proofId)).status, "not-found");
    assert.equal((await client.getProofByImage(stored.imageHash!)).status, "not-found");
    assert.equal(await client.deleteProof(stored.proofId), false);
  });

  it("gives a URL to fetch the proof from", async () => {
    const stored = await client.storeProof({ imageHash: imageHash(), proofJson: "{}" });

    const url = await client.getProofUrl(stored.proofId);

    assert.equal(url?.kind, "service");
    assert.equal(url?.url, `${service.baseUrl}/v1/proofs/${stored.proofId}`);
  });

  it("fails without a key with 401 unauthorized, and with a read-only key with 403 forbidden", async () => {
    const anonymous = new ProofStorageClient({ baseUrl: service.baseUrl });
    const reader = new ProofStorageClient({ baseUrl: service.baseUrl, apiKey: service.readerKey });

    await rejectsWith(anonymous.storeProof({ imageHash: imageHash(), proofJson: "{}" }), 401, "unauthorized");
    await rejectsWith(anonymous.getProof("AnyProof00000000000000"), 401, "unauthorized");
    await rejectsWith(reader.storeProof({ imageHash: imageHash(), proofJson: "{}" }), 403, "forbidden");
    await rejectsWith(reader.getStats(), 403, "forbidden");
    await rejectsWith(reader.deleteProof("AnyProof00000000000000"), 403, "forbidden");
    assert.equal((await reader.getProof("AnyProof00000000000000")).status, "not-found");
  });

  it("reports a refused store as a validation problem naming the field", async () => {
    const error = await rejectsWith(client.storeProof({ imageHash: "abc", proofJson: "{}" }), 400, "validation");

    assert.ok(error.errors?.imageHash?.[0]?.includes("SHA-256"));
  });

  it("refuses proof text that is not one JSON value before sending anything", async () => {
    await assert.rejects(client.storeProof({ imageHash: imageHash(), proofJson: '{"a":1}, "metadata": {}' }), TypeError);
    await assert.rejects(client.storeProof({ imageHash: imageHash() }), TypeError);
  });

  it("stores and reads a 5 MB proof, the manifest streamed", async () => {
    const filler = "x".repeat(5 * 1024 * 1024);
    const proofJson = `{"payload":"${filler}","n":1.50}`;

    const stored = await client.storeProof({ imageHash: imageHash(), proofJson: new TextEncoder().encode(proofJson) });

    assert.ok(stored.sizeBytes > 5 * 1024 * 1024);
    const read = await client.getProof(stored.proofId);
    assert.ok(read.status === "ok");
    assert.equal(read.record.proofJson.length, proofJson.length);
    assert.ok(read.record.proofJson === proofJson);
    const manifest = await client.getProofManifest(stored.proofId);
    assert.ok(manifest.status === "ok");
    assert.equal(manifest.contentLength, proofJson.length);
    let received = 0;
    let chunks = 0;
    for await (const chunk of manifest.body) {
      received += chunk.byteLength;
      chunks++;
    }
    assert.equal(received, proofJson.length);
    assert.ok(chunks > 1, "the document arrives as a stream of chunks");
  });

  it("stores a binary proof document and serves its bytes with its media type", async () => {
    const document = new Uint8Array([0x00, 0x00, 0x00, 0x10, 0x6a, 0x75, 0x6d, 0x62, 0xff, 0xfe, 0x00, 0x01]);

    const stored = await client.storeProof({ imageHash: imageHash(), proofDocument: document, proofMediaType: "application/c2pa" });

    const manifest = await client.getProofManifest(stored.proofId);
    assert.ok(manifest.status === "ok");
    assert.equal(manifest.mediaType, "application/c2pa");
    assert.deepEqual(await manifest.bytes(), document);
    const record = await client.getProof(stored.proofId);
    assert.ok(record.status === "ok");
    assert.equal(record.record.proofMediaType, "application/c2pa");
    assert.equal(record.record.proofJson, `"${Buffer.from(document).toString("base64")}"`);
  });

  it("reads health and stats", async () => {
    assert.equal((await client.live()).status, "Healthy");
    const ready = await client.ready();
    assert.equal(ready.ready, true);
    const stats = await client.getStats();
    assert.ok(stats.dedup.lookups > 0);
    assert.equal(stats.scrub.enabled, false);
    assert.deepEqual(stats.scrub.unrecoverableKeys, []);
  });

  it("cancels a call when its signal aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("caller gave up"));

    await assert.rejects(client.getProof("AnyProof00000000000000", { signal: controller.signal }), /caller gave up/);
  });
});

describe("ProofStorageClient against a rate-limited service", () => {
  let service: RunningService;

  before(async () => {
    service = await startService({
      ProofStorage__RateLimit__Enabled: "true",
      ProofStorage__RateLimit__KeyPermitsPerSecond: "1",
      ProofStorage__RateLimit__KeyBurst: "1",
    });
  });

  after(async () => {
    await service?.stop();
  });

  it("reports 429 rate-limited with the Retry-After the service sent", async () => {
    const client = new ProofStorageClient({ baseUrl: service.baseUrl, apiKey: service.apiKey });
    // A burst of one: some call in a quick series is refused.
    let refused: ProofStorageError | undefined;
    for (let i = 0; i < 20 && refused === undefined; i++) {
      try {
        await client.getProof("AnyProof00000000000000");
      } catch (error) {
        if (!(error instanceof ProofStorageError)) {
          throw error;
        }
        refused = error;
      }
    }

    assert.ok(refused, "a call was refused");
    assert.equal(refused.status, 429);
    assert.equal(refused.slug, "rate-limited");
    assert.ok((refused.retryAfterSeconds ?? 0) >= 1, `Retry-After ${refused.retryAfterSeconds}`);
  });
});
