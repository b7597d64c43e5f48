import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "../workers/casefile-workers.js";

/**
 * The environment of `casefile bot` and `casefile worker`: Probot's own variables plus
 * casefile's. Read once at startup; a missing or malformed value stops startup with a
 * message naming the variable (never echoing a secret).
 */
const int = (def: number) => z.coerce.number().int().positive().default(def);

const envSchema = z.object({
  APP_ID: z
    .string({ message: "APP_ID is required (the GitHub App's numeric id)" })
    .regex(/^\d+$/, "APP_ID must be the GitHub App's numeric id")
    .transform(Number),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string().min(1, "WEBHOOK_SECRET is required (the secret set on the GitHub App)").optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Key prefix of queues and crash store; a Redis Cluster hash tag is added when missing. */
  CASEFILE_PREFIX: z.string().min(1).default("casefile"),
  CASEFILE_CONCURRENCY_INTAKE: int(DEFAULT_WORKER_SETTINGS.concurrency.intake),
  CASEFILE_CONCURRENCY_ANALYZE: int(DEFAULT_WORKER_SETTINGS.concurrency.analyze),
  CASEFILE_CONCURRENCY_PUBLISH: int(DEFAULT_WORKER_SETTINGS.concurrency.publish),
  CASEFILE_CONCURRENCY_RECORD: int(DEFAULT_WORKER_SETTINGS.concurrency.record),
  CASEFILE_ANALYSIS_TIMEOUT_S: int(600),
  CASEFILE_ANALYSIS_HEAP_MB: int(2048),
  CASEFILE_DOWNLOAD_TIMEOUT_S: int(120),
  /** GitHub Enterprise Server API, e.g. https://ghe.example.com/api/v3 */
  GHE_HOST: z.string().optional(),
});

export interface AppEnv {
  appId: number;
  privateKey: string;
  webhookSecret: string | null;
  port: number;
  host: string | undefined;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  redisUrl: string;
  prefix: string;
  workers: WorkerSettings;
  analysisTimeoutMs: number;
  analysisHeapMb: number;
  baseUrl: string | undefined;
}

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

export function readAppEnv(env: NodeJS.ProcessEnv, role: "bot" | "worker"): AppEnv {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    throw new EnvError(`casefile ${role}: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  if (role === "bot" && !e.WEBHOOK_SECRET) throw new EnvError("casefile bot: WEBHOOK_SECRET is required (the secret set on the GitHub App)");
  return {
    appId: e.APP_ID,
    privateKey: readPrivateKey(e.PRIVATE_KEY, e.PRIVATE_KEY_PATH, role),
    webhookSecret: e.WEBHOOK_SECRET ?? null,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    prefix: e.CASEFILE_PREFIX,
    workers: {
      ...DEFAULT_WORKER_SETTINGS,
      concurrency: {
        intake: e.CASEFILE_CONCURRENCY_INTAKE,
        analyze: e.CASEFILE_CONCURRENCY_ANALYZE,
        publish: e.CASEFILE_CONCURRENCY_PUBLISH,
        record: e.CASEFILE_CONCURRENCY_RECORD,
      },
      analyze: { ...DEFAULT_WORKER_SETTINGS.analyze, downloadTimeoutMs: e.CASEFILE_DOWNLOAD_TIMEOUT_S * 1000 },
    },
    analysisTimeoutMs: e.CASEFILE_ANALYSIS_TIMEOUT_S * 1000,
    analysisHeapMb: e.CASEFILE_ANALYSIS_HEAP_MB,
    baseUrl: e.GHE_HOST ? `https://${e.GHE_HOST.replace(/^https?:\/\//, "")}/api/v3` : undefined,
  };
}

/** PEM from PRIVATE_KEY (newlines may be written as \n, or the whole key base64-encoded) or from PRIVATE_KEY_PATH. */
export function readPrivateKey(inline: string | undefined, path: string | undefined, role: string): string {
  let key = inline;
  if (!key && path) {
    try {
      key = readFileSync(path, "utf8");
    } catch (err) {
      throw new EnvError(`casefile ${role}: PRIVATE_KEY_PATH cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
  }
  if (!key) throw new EnvError(`casefile ${role}: set PRIVATE_KEY or PRIVATE_KEY_PATH to the GitHub App's private key`);
  key = key.replace(/\\n/g, "\n").trim();
  if (!key.includes("-----BEGIN")) {
    const decoded = Buffer.from(key, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) key = decoded.trim();
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(key)) throw new EnvError(`casefile ${role}: the private key is not a PEM private key`);
  return `${key}\n`;
}
