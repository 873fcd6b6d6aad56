export {
  ProofStorageClient,
  type BatchItemResult,
  type CallOptions,
  type HealthReport,
  type LookupResult,
  type ManifestRead,
  type ProofHead,
  type ProofRead,
  type ProofRecord,
  type ProofStorageClientOptions,
  type ProofUrl,
  type ReadOptions,
  type RepresentationHeaders,
  type SoftBinding,
  type SoftBindingMatch,
  type StoreManifestStoreInput,
  type SupportedAlgorithms,
  type StorageStatistics,
  type StoreProofInput,
  type StoreProofResult,
} from "./client.js";
export { ProofStorageError, PROBLEM_TYPE_PREFIX, type ProblemDetails } from "./errors.js";
export type { components, operations, paths } from "./generated/proofstorage.v1.js";
