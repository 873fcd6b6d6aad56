/**
 * Starts the built service (`dotnet src/ProofStorage.Api/bin/<cfg>/net10.0/ProofStorage.Api.dll`) as a child process,
 * the way tests/ProofStorage.Testing's ServiceProcess does for the .NET tests: Production environment, configured
 * only through environment variables, Kestrel on a loopback port the kernel picks, the filesystem provider in a temp
 * folder, an encryption key and API keys made up per run. Resolves once /health/live answers 200.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface RunningService {
  readonly baseUrl: string;
  /** Every scope. */
  readonly apiKey: string;
  /** proofs:read only. */
  readonly readerKey: string;
  /** What the process wrote so far. */
  output(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/** The repository root, from dist/test/service.js. */
const root = fileURLToPath(new URL("../../../../", import.meta.url));

export function serviceAssembly(): string {
  const configuration = process.env.PROOFSTORAGE_CONFIGURATION ?? "Release";
  const path = join(root, "src", "ProofStorage.Api", "bin", configuration, "net10.0", "ProofStorage.Api.dll");
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: build the solution first (dotnet build ProofStorage.sln -c ${configuration}).`);
  }
  return path;
}

function apiKeyHash(key: string): string {
  return "sha256:" + createHash("sha256").update(key, "utf8").digest("hex");
}

export async function startService(settings: Record<string, string> = {}): Promise<RunningService> {
  const dataPath = mkdtempSync(join(tmpdir(), "proofstorage-ts-"));
  const apiKey = "psk_ts_" + randomBytes(16).toString("hex");
  const readerKey = "psk_ts_reader_" + randomBytes(16).toString("hex");
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ASPNETCORE_ENVIRONMENT: "Production",
    ASPNETCORE_URLS: "http://127.0.0.1:0",
    DOTNET_EnableDiagnostics: "0",
    DOTNET_gcServer: "0",
    ProofStorage__DataPath: dataPath,
    ProofStorage__Encryption__ActiveKeyId: "k1",
    ProofStorage__Encryption__Keys__k1: randomBytes(32).toString("base64"),
    ProofStorage__Auth__Keys__client__Hash: apiKeyHash(apiKey),
    ProofStorage__Auth__Keys__client__Scopes__0: "proofs:read",
    ProofStorage__Auth__Keys__client__Scopes__1: "proofs:write",
    ProofStorage__Auth__Keys__client__Scopes__2: "proofs:delete",
    ProofStorage__Auth__Keys__client__Scopes__3: "admin",
    ProofStorage__Auth__Keys__reader__Hash: apiKeyHash(readerKey),
    ProofStorage__Auth__Keys__reader__Scopes__0: "proofs:read",
    ProofStorage__RateLimit__Enabled: "false",
    ...settings,
  };
  const lines: string[] = [];
  const child: ChildProcess = spawn("dotnet", [serviceAssembly()], { env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dataPath, { recursive: true, force: true });
  };

  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The service did not report its address in ${START_TIMEOUT_MS} ms:\n${lines.join("\n")}`)), START_TIMEOUT_MS);
      let pending = "";
      const collect = (chunk: Buffer): void => {
        const parts = (pending + chunk.toString("utf8")).split("\n");
        pending = parts.pop() ?? "";
        for (const line of parts) {
          lines.push(line);
          const match = /Now listening on: "?(http:\/\/[^\s"]+)/.exec(line);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        }
      };
      child.stdout?.on("data", collect);
      child.stderr?.on("data", collect);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`The service exited at start-up (${code}):\n${lines.join("\n")}`));
      });
    });

    // Listening is not serving yet: wait for the first answer.
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const response = await fetch(`${baseUrl}/health/live`);
        if (response.status === 200) {
          break;
        }
      } catch {
        // not yet
      }
      if (Date.now() > deadline) {
        throw new Error(`The service did not answer /health/live:\n${lines.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    return { baseUrl, apiKey, readerKey, output: () => lines.join("\n"), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
