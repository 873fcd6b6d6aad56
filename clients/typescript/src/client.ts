import createClient, { type Client, type Middleware } from "openapi-fetch";
import { errorFromResponse, ProofStorageError } from "./errors.js";
import type { components, paths } from "./generated/proofstorage.v1.js";
import { arrayElements, objectMembers, type Span } from "./rawjson.js";

type Schemas = components["schemas"];

/** How to reach the service. */
export interface ProofStorageClientOptions {
  /** The service's base URL, e.g. `https://proofs.internal.example:8443`. */
  baseUrl: string;
  /** Sent as `X-Api-Key`. Reads need none when the service allows anonymous reads. */
  apiKey?: string;
  /** Milliseconds before a request (until its response headers) is abandoned; default 30 000. 0 turns it off. */
  timeoutMs?: number;
  /** Replaces the global `fetch` (tests, proxies, instrumentation). */
  fetch?: (request: Request) => Promise<Response>;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** Conditional reads: the ETag the caller holds; a match answers `not-modified` without a body. */
export interface ReadOptions extends CallOptions {
  ifNoneMatch?: string;
}

/**
 * A proof to store. The proof is given as its exact JSON text (`proofJson`) — stored and served byte for byte —
 * or, for a binary document such as a C2PA manifest store, as its bytes (`proofDocument`) with a non-JSON
 * `proofMediaType`.
 */
export interface StoreProofInput {
  /** SHA-256 of the image, 64 hexadecimal characters. */
  imageHash: string;
  /** The proof as JSON text (a string, or its UTF-8 bytes). Exactly one of `proofJson` and `proofDocument`. */
  proofJson?: string | Uint8Array;
  /** The proof document's bytes (sent base64-encoded, as the API wants); needs `proofMediaType`. */
  proofDocument?: Uint8Array;
  /** Media type of the proof document served by the manifest route; absent means `application/json`. */
  proofMediaType?: string;
  metadata?: Record<string, string>;
}

/**
 * A C2PA manifest store to store as its raw bytes (`application/c2pa`, no base64), with what comes with it in the query
 * string.
 */
export interface StoreManifestStoreInput {
  manifestStore: Uint8Array;
  /** SHA-256 of the image; without it the proof is named by the active manifest's id. */
  imageHash?: string;
  metadata?: Record<string, string>;
  /** Soft bindings it is found by (besides those its active manifest declares). */
  softBindings?: readonly SoftBinding[];
}

/** A soft binding: an algorithm name from the C2PA soft binding algorithm list and its value in base64. */
export interface SoftBinding {
  alg: string;
  value: string;
}

export type SoftBindingMatch = Schemas["SoftBindingMatch"];
export type SupportedAlgorithms = Schemas["SoftBindingAlgList"];

export type StoreProofResult = Schemas["StoreProofResponse"] & {
  /** The new proof's path (`Location`), present when the store created it (HTTP 201). */
  location?: string;
};

/** A stored proof record, with the proof as the exact text it was stored as. */
export interface ProofRecord {
  proofId: string;
  /** Absent for a manifest store stored without an image hash. */
  imageHash?: string;
  createdAt: string;
  metadata: Record<string, string>;
  proofMediaType?: string;
  /** A manifest store stored raw: its active manifest's id. */
  manifestId?: string;
  /** A manifest store stored raw: the soft bindings it is found by. */
  softBindings?: SoftBinding[];
  /** The proof value exactly as stored (the JSON text; for a binary document, a JSON string of its base64). */
  proofJson: string;
}

/** The headers that come with a proof representation. */
export interface RepresentationHeaders {
  etag: string;
  cacheControl: string | null;
  /** `Link: <…/manifest>; rel="c2pa-manifest"`. */
  link: string | null;
}

export type ProofRead =
  | ({ status: "ok"; record: ProofRecord } & RepresentationHeaders)
  | ({ status: "not-modified" } & RepresentationHeaders)
  | { status: "not-found" };

export type ProofHead =
  | ({ status: "ok"; contentType: string | null; contentLength: number | null } & RepresentationHeaders)
  | ({ status: "not-modified" } & RepresentationHeaders)
  | { status: "not-found" };

/** The proof document, streamed: read `body` (or call `bytes()`/`text()`) exactly once. */
export type ManifestRead =
  | ({
      status: "ok";
      mediaType: string;
      contentLength: number | null;
      body: ReadableStream<Uint8Array>;
      bytes(): Promise<Uint8Array>;
      text(): Promise<string>;
    } & RepresentationHeaders)
  | ({ status: "not-modified" } & RepresentationHeaders)
  | { status: "not-found" };

export type BatchItemResult = Schemas["BatchItemResult"];
export type ProofUrl = Schemas["ProofUrlResponse"];
export type StorageStatistics = Schemas["StatsResponse"];
export type HealthReport = Schemas["HealthResponse"];

export interface LookupResult {
  found: ProofRecord[];
  missing: string[];
}

/**
 * The ProofStorage API for Node 20+: the generated types of `openapi/proofstorage.v1.json` over `openapi-fetch`, plus
 * what generation cannot express: proofs sent and read as their exact text, conditional reads, a streamed proof
 * document, and errors as {@link ProofStorageError}. Safe to share; every method takes an `AbortSignal`.
 */
export class ProofStorageClient {
  private readonly api: Client<paths>;
  private readonly timeoutMs: number;

  constructor(options: ProofStorageClientOptions) {
    if (!options?.baseUrl) {
      throw new TypeError("ProofStorageClient: baseUrl is required.");
    }
    new URL(options.baseUrl); // throws on a malformed URL, here rather than on the first call
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs < 0) {
      throw new RangeError("ProofStorageClient: timeoutMs must be 0 (off) or a positive number of milliseconds.");
    }
    this.api = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      headers: options.apiKey ? { "X-Api-Key": options.apiKey } : {},
    });
  }

  /** Registers openapi-fetch middleware (logging, tracing headers, …). */
  use(...middleware: Middleware[]): void {
    this.api.use(...middleware);
  }

  /** Stores a proof: `deduplicated: true` (nothing stored) when the image already has one. */
  async storeProof(input: StoreProofInput, options: CallOptions = {}): Promise<StoreProofResult> {
    const { data, error, response } = await this.api.POST("/v1/proofs", {
      body: storeRequestBody(input) as never,
      bodySerializer: (body: unknown) => body,
      headers: { "Content-Type": "application/json" },
      signal: this.signal(options.signal),
    });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    const location = response.headers.get("Location");
    return location === null ? data : { ...data, location };
  }

  /** Stores up to the service's batch limit of proofs; one result per item, in order (a failed item has `type` and `error`). */
  async storeProofBatch(items: readonly StoreProofInput[], options: CallOptions = {}): Promise<BatchItemResult[]> {
    const { data, error, response } = await this.api.POST("/v1/proofs/batch", {
      body: `{"items":[${items.map(storeRequestBody).join(",")}]}` as never,
      bodySerializer: (body: unknown) => body,
      headers: { "Content-Type": "application/json" },
      signal: this.signal(options.signal),
    });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    return [...data.results];
  }

  /** The record of a proof by its id (native or legacy). */
  async getProof(proofId: string, options: ReadOptions = {}): Promise<ProofRead> {
    const { error, response, data } = await this.api.GET("/v1/proofs/{proofId}", {
      params: { path: { proofId }, header: conditional(options) },
      parseAs: "text",
      signal: this.signal(options.signal),
    });
    return readRecord(response, data, error);
  }

  /** The record of the proof of an image (SHA-256 of the image). */
  async getProofByImage(imageHash: string, options: ReadOptions = {}): Promise<ProofRead> {
    const { error, response, data } = await this.api.GET("/v1/proofs/by-image/{imageHash}", {
      params: { path: { imageHash }, header: conditional(options) },
      parseAs: "text",
      signal: this.signal(options.signal),
    });
    return readRecord(response, data, error);
  }

  /** The record's headers (ETag, caching, Link) without its body. */
  async headProof(proofId: string, options: ReadOptions = {}): Promise<ProofHead> {
    const { response } = await this.api.HEAD("/v1/proofs/{proofId}", {
      params: { path: { proofId }, header: conditional(options) },
      signal: this.signal(options.signal),
    });
    return head(response);
  }

  /** As {@link headProof}, by image hash. */
  async headProofByImage(imageHash: string, options: ReadOptions = {}): Promise<ProofHead> {
    const { response } = await this.api.HEAD("/v1/proofs/by-image/{imageHash}", {
      params: { path: { imageHash }, header: conditional(options) },
      signal: this.signal(options.signal),
    });
    return head(response);
  }

  /** The proof document's headers without its body. */
  async headProofManifest(proofId: string, options: ReadOptions = {}): Promise<ProofHead> {
    const { response } = await this.api.HEAD("/v1/proofs/{proofId}/manifest", {
      params: { path: { proofId }, header: conditional(options) },
      signal: this.signal(options.signal),
    });
    return head(response);
  }

  /**
   * The proof document itself (what a C2PA reader fetches), streamed rather than buffered: the body is the stored proof
   * value's bytes (the JSON text, or the decoded bytes of a binary document) with its media type.
   */
  async getProofManifest(proofId: string, options: ReadOptions = {}): Promise<ManifestRead> {
    const { response, error, data } = await this.api.GET("/v1/proofs/{proofId}/manifest", {
      params: { path: { proofId }, header: conditional(options) },
      parseAs: "stream",
      signal: this.signal(options.signal),
    });
    return streamed(response, data, error);
  }

  /**
   * Stores a C2PA manifest store as its raw bytes (`application/c2pa`): the result names its `manifestId`;
   * `deduplicated: true` when the image (or, without an image hash, the manifest id) already has a proof.
   */
  async storeManifestStore(input: StoreManifestStoreInput, options: CallOptions = {}): Promise<StoreProofResult> {
    const query = new URLSearchParams();
    if (input.imageHash !== undefined) {
      query.append("imageHash", input.imageHash);
    }
    for (const [key, value] of Object.entries(input.metadata ?? {})) {
      query.append("metadata." + key, value);
    }
    for (const binding of input.softBindings ?? []) {
      query.append("softBinding", `${binding.alg}:${binding.value}`);
    }
    const { data, error, response } = await this.api.POST("/v1/proofs", {
      body: input.manifestStore as never,
      bodySerializer: (body: unknown) => body,
      querySerializer: () => query.toString(),
      headers: { "Content-Type": "application/c2pa" },
      signal: this.signal(options.signal),
    });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    const location = response.headers.get("Location");
    return location === null ? data : { ...data, location };
  }

  /**
   * The manifest store whose active manifest is `manifestId` (`GET /c2pa/v1/manifests/{manifestId}`), streamed;
   * `returnActiveManifest` for a store holding only the active manifest.
   */
  async getManifest(manifestId: string, options: ReadOptions & { returnActiveManifest?: boolean } = {}): Promise<ManifestRead> {
    const { response, error, data } = await this.api.GET("/c2pa/v1/manifests/{manifestId}", {
      params: {
        path: { manifestId },
        query: options.returnActiveManifest ? { returnActiveManifest: "true" } : {},
        header: conditional(options),
      } as never,
      parseAs: "stream",
      signal: this.signal(options.signal),
    });
    return streamed(response, data, error);
  }

  /** The manifest ids of the manifest stores carrying a soft binding value (byBinding; the POST form for a long value). */
  async findManifestsByBinding(binding: SoftBinding, options: CallOptions & { maxResults?: number } = {}): Promise<SoftBindingMatch[]> {
    const maxResults = options.maxResults === undefined ? {} : { maxResults: String(options.maxResults) };
    const { data, error, response } =
      binding.value.length <= 2048
        ? await this.api.GET("/c2pa/v1/matches/byBinding", {
            params: { query: { alg: binding.alg, value: binding.value, ...maxResults } } as never,
            signal: this.signal(options.signal),
          })
        : await this.api.POST("/c2pa/v1/matches/byBinding", {
            params: { query: maxResults } as never,
            body: { alg: binding.alg, value: binding.value },
            signal: this.signal(options.signal),
          });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    return [...data.matches];
  }

  /** The soft binding algorithms the service resolves. */
  async getSupportedAlgorithms(options: CallOptions = {}): Promise<SupportedAlgorithms> {
    const { data, error, response } = await this.api.GET("/c2pa/v1/services/supportedAlgorithms", { signal: this.signal(options.signal) });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    return data;
  }

  /** Stores a manifest store through the Soft Binding API (`POST /c2pa/v1/manifests`); answers its manifest id. */
  async addManifest(manifestStore: Uint8Array, options: CallOptions = {}): Promise<string> {
    const { data, error, response } = await this.api.POST("/c2pa/v1/manifests", {
      body: manifestStore as never,
      bodySerializer: (body: unknown) => body,
      headers: { "Content-Type": "application/c2pa" },
      signal: this.signal(options.signal),
    });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    return data.manifestId;
  }

  /** Makes a soft binding value (base64) the stored manifest store carries find it; false when not found (404). */
  async addBinding(manifestId: string, bindingValue: string, options: CallOptions = {}): Promise<boolean> {
    const { error, response } = await this.api.POST("/c2pa/v1/bindings", {
      body: { manifestId, bindingValue },
      signal: this.signal(options.signal),
    });
    return doneOrNotFound(response, error);
  }

  /** Deletes the manifest store(s) whose active manifest is `manifestId`, and their bindings; false when none is stored. */
  async deleteManifest(manifestId: string, options: CallOptions = {}): Promise<boolean> {
    const { error, response } = await this.api.DELETE("/c2pa/v1/manifests/{manifestId}", {
      params: { path: { manifestId } },
      signal: this.signal(options.signal),
    });
    return doneOrNotFound(response, error);
  }

  /** A URL to fetch the proof from (CDN, this service, or a presigned bucket URL); null when no proof has this id. */
  async getProofUrl(proofId: string, options: CallOptions & { expiresInSeconds?: number } = {}): Promise<ProofUrl | null> {
    const { data, error, response } = await this.api.GET("/v1/proofs/{proofId}/url", {
      params: {
        path: { proofId },
        query: options.expiresInSeconds === undefined ? {} : { expiresIn: String(options.expiresInSeconds) },
      },
      signal: this.signal(options.signal),
    });
    if (data) {
      return data;
    }
    if (response.status === 404) {
      return null;
    }
    throw errorFromResponse(response, error);
  }

  /** Many records by id in one call: those found (proof text exact) and the ids not found. */
  async lookupProofs(proofIds: readonly string[], options: CallOptions = {}): Promise<LookupResult> {
    const { data, error, response } = await this.api.POST("/v1/proofs/lookup", {
      body: { proofIds: [...proofIds] },
      parseAs: "text",
      signal: this.signal(options.signal),
    });
    if (data === undefined) {
      throw errorFromResponse(response, error);
    }
    const text = data as string;
    const members = objectMembers(text);
    const found = members.get("found");
    const missing = members.get("missing");
    if (!found || !missing) {
      throw new SyntaxError("The lookup response lacks 'found' or 'missing'.");
    }
    return {
      found: arrayElements(text, found).map((span) => parseRecord(text, span)),
      missing: JSON.parse(text.slice(missing.start, missing.end)) as string[],
    };
  }

  /** Deletes a proof: true when it existed, false when no proof had this id. */
  async deleteProof(proofId: string, options: CallOptions = {}): Promise<boolean> {
    const { error, response } = await this.api.DELETE("/v1/proofs/{proofId}", {
      params: { path: { proofId } },
      signal: this.signal(options.signal),
    });
    return doneOrNotFound(response, error);
  }

  /** Cache, dedup, storage and compression counters (needs the `admin` scope). */
  async getStats(options: CallOptions = {}): Promise<StorageStatistics> {
    const { data, error, response } = await this.api.GET("/v1/stats", { signal: this.signal(options.signal) });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    return data;
  }

  /** Liveness. */
  async live(options: CallOptions = {}): Promise<HealthReport> {
    const { data, error, response } = await this.api.GET("/health/live", { signal: this.signal(options.signal) });
    if (!data) {
      throw errorFromResponse(response, error);
    }
    return data;
  }

  /** Readiness: the report, whether ready (200) or not (503). */
  async ready(options: CallOptions = {}): Promise<{ ready: boolean; report: HealthReport }> {
    const { data, error, response } = await this.api.GET("/health/ready", { signal: this.signal(options.signal) });
    if (data) {
      return { ready: true, report: data };
    }
    if (response.status === 503 && isHealthReport(error)) {
      return { ready: false, report: error };
    }
    throw errorFromResponse(response, error);
  }

  private signal(caller: AbortSignal | undefined): AbortSignal | undefined {
    const timeout = this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined;
    if (caller && timeout) {
      return AbortSignal.any([caller, timeout]);
    }
    return caller ?? timeout;
  }
}

/**
 * The store request's JSON, with the proof's text placed verbatim (never re-serialised). The text is checked to be
 * exactly one JSON value first, so it cannot spill into the request's other members.
 */
function storeRequestBody(input: StoreProofInput): string {
  if ((input.proofJson === undefined) === (input.proofDocument === undefined)) {
    throw new TypeError("Give exactly one of proofJson (the proof's JSON text) and proofDocument (a binary document's bytes).");
  }
  let proof: string;
  if (input.proofDocument !== undefined) {
    if (!input.proofMediaType || /[/+]json$/i.test(input.proofMediaType)) {
      throw new TypeError("A binary proofDocument needs a non-JSON proofMediaType, such as application/c2pa.");
    }
    proof = `"${Buffer.from(input.proofDocument.buffer, input.proofDocument.byteOffset, input.proofDocument.byteLength).toString("base64")}"`;
  } else {
    proof = typeof input.proofJson === "string" ? input.proofJson : new TextDecoder("utf-8", { fatal: true }).decode(input.proofJson);
    try {
      JSON.parse(proof);
    } catch (cause) {
      throw new TypeError("proofJson is not one JSON value.", { cause });
    }
  }
  let body = `{"imageHash":${JSON.stringify(input.imageHash)},"proof":${proof}`;
  if (input.proofMediaType !== undefined) {
    body += `,"proofMediaType":${JSON.stringify(input.proofMediaType)}`;
  }
  if (input.metadata !== undefined) {
    body += `,"metadata":${JSON.stringify(input.metadata)}`;
  }
  return body + "}";
}

function conditional(options: ReadOptions): { "If-None-Match"?: string } {
  return options.ifNoneMatch === undefined ? {} : { "If-None-Match": options.ifNoneMatch };
}

function representation(response: Response): RepresentationHeaders {
  return {
    etag: response.headers.get("ETag") ?? "",
    cacheControl: response.headers.get("Cache-Control"),
    link: response.headers.get("Link"),
  };
}

function contentLength(response: Response): number | null {
  const value = response.headers.get("Content-Length");
  return value === null ? null : Number(value);
}

function notModifiedOrNotFound(response: Response, error: unknown): { status: "not-modified" } & RepresentationHeaders | { status: "not-found" } {
  if (response.status === 304) {
    return { status: "not-modified", ...representation(response) };
  }
  if (response.status === 404) {
    return { status: "not-found" };
  }
  throw errorFromResponse(response, error);
}

/** A call answering 204 when it did its work: true; false for 404 (nothing to act on); any other answer throws. */
function doneOrNotFound(response: Response, error: unknown): boolean {
  if (response.status === 204) {
    return true;
  }
  if (response.status === 404) {
    return false;
  }
  throw errorFromResponse(response, error);
}

function streamed(response: Response, data: unknown, error: unknown): ManifestRead {
  if (response.status === 200 && data) {
    const body = data as ReadableStream<Uint8Array>;
    return {
      status: "ok",
      ...representation(response),
      mediaType: response.headers.get("Content-Type") ?? "application/octet-stream",
      contentLength: contentLength(response),
      body,
      bytes: async () => new Uint8Array(await new Response(body).arrayBuffer()),
      text: () => new Response(body).text(),
    };
  }
  return notModifiedOrNotFound(response, error);
}

function readRecord(response: Response, data: unknown, error: unknown): ProofRead {
  if (response.status === 200 && typeof data === "string") {
    return { status: "ok", ...representation(response), record: parseRecord(data, { start: 0, end: data.length }) };
  }
  return notModifiedOrNotFound(response, error);
}

function head(response: Response): ProofHead {
  if (response.status === 200) {
    return { status: "ok", ...representation(response), contentType: response.headers.get("Content-Type"), contentLength: contentLength(response) };
  }
  // A HEAD answer has no body: the status is all there is to read.
  return notModifiedOrNotFound(response, undefined);
}

/** A record from its text: the small members parsed, the proof sliced out as it was stored. */
function parseRecord(text: string, span: Span): ProofRecord {
  const members = objectMembers(text, span);
  const value = (name: string): unknown => {
    const member = members.get(name);
    return member === undefined ? undefined : JSON.parse(text.slice(member.start, member.end));
  };
  const proof = members.get("proof");
  if (proof === undefined) {
    throw new SyntaxError("The proof record has no 'proof' member.");
  }
  const record: ProofRecord = {
    proofId: value("proofId") as string,
    createdAt: value("createdAt") as string,
    metadata: (value("metadata") as Record<string, string> | undefined) ?? {},
    proofJson: text.slice(proof.start, proof.end),
  };
  const imageHash = value("imageHash");
  if (typeof imageHash === "string") {
    record.imageHash = imageHash;
  }
  const mediaType = value("proofMediaType");
  if (typeof mediaType === "string") {
    record.proofMediaType = mediaType;
  }
  const manifestId = value("manifestId");
  if (typeof manifestId === "string") {
    record.manifestId = manifestId;
  }
  const softBindings = value("softBindings");
  if (Array.isArray(softBindings)) {
    record.softBindings = softBindings as SoftBinding[];
  }
  return record;
}

function isHealthReport(body: unknown): body is HealthReport {
  return typeof body === "object" && body !== null && typeof (body as { status?: unknown }).status === "string" && "checks" in body;
}

export { ProofStorageError };
