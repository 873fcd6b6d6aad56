import type { components } from "./generated/proofstorage.v1.js";

/** The problem body the service answers every error with (RFC 9457), as the OpenAPI document describes it. */
export type ProblemDetails = components["schemas"]["ProblemDetails"] & {
  /** Per-field messages of a validation problem (`urn:proofstorage:problem:validation`). */
  errors?: Record<string, string[]>;
};

/** The prefix of every problem `type` URN; the rest is the slug, e.g. `rate-limited`. */
export const PROBLEM_TYPE_PREFIX = "urn:proofstorage:problem:";

/**
 * An error answer of the service, carrying its ProblemDetails. Branch on {@link type} (a stable URN) or {@link slug},
 * never on the title or the detail.
 */
export class ProofStorageError extends Error {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The problem type URN, e.g. `urn:proofstorage:problem:not-found`; `about:blank` when the answer had no problem body. */
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The W3C trace id that finds the request in the service's logs. */
  readonly traceId: string | undefined;
  /** Field errors of a validation problem. */
  readonly errors: Readonly<Record<string, string[]>> | undefined;
  /** Seconds the service asked to wait before retrying (`Retry-After` on 429 and 503). */
  readonly retryAfterSeconds: number | undefined;
  /** The problem body as received. */
  readonly problem: ProblemDetails | undefined;

  constructor(status: number, problem: ProblemDetails | undefined, retryAfterSeconds: number | undefined, options?: ErrorOptions) {
    const title = problem?.title ?? `HTTP ${status}`;
    super(problem?.detail ? `${title}: ${problem.detail}` : title, options);
    this.name = "ProofStorageError";
    this.status = status;
    this.type = problem?.type ?? "about:blank";
    this.title = title;
    this.detail = problem?.detail ?? undefined;
    this.traceId = problem?.traceId ?? undefined;
    this.errors = problem?.errors;
    this.retryAfterSeconds = retryAfterSeconds;
    this.problem = problem;
  }

  /** The part of {@link type} after the catalogue prefix (`not-found`, `rate-limited`, …), or undefined for another type. */
  get slug(): string | undefined {
    return this.type.startsWith(PROBLEM_TYPE_PREFIX) ? this.type.slice(PROBLEM_TYPE_PREFIX.length) : undefined;
  }
}

/** Reads `Retry-After` as seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get("Retry-After");
  if (value === null) {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The error for a non-success answer whose body (already read, possibly empty) is `body`. */
export function errorFromResponse(response: Response, body: unknown): ProofStorageError {
  const problem = isProblem(body) ? body : undefined;
  return new ProofStorageError(response.status, problem, retryAfterSeconds(response.headers));
}

function isProblem(body: unknown): body is ProblemDetails {
  return typeof body === "object" && body !== null && typeof (body as { type?: unknown }).type === "string";
}
