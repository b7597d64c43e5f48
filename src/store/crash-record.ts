import { z } from "zod";
import type { CasefileVerdict } from "../analysis/model/casefile-verdict.js";
import { VERDICT_KINDS, type VerdictKind } from "../analysis/model/verdict-kind.js";

/**
 * What the crash store keeps per analysed issue: the JSON verdict of verdict.md plus where it
 * came from and when. Recording the same repository + issue again replaces the old record.
 */
export type CrashRecord = CasefileVerdict & {
  /** "owner/name" */
  repository: string;
  issue: number;
  issue_url: string;
  /** ISO 8601: when the webhook delivery that triggered the analysis arrived. */
  received_at: string;
  /** ISO 8601: when the analysis finished. */
  analyzed_at: string;
  /** How long the analysis itself took in the worker (download and queue wait excluded). */
  duration_ms: number;
};

/** A human correction from `/casefile wrong <verdict>` or `/casefile owner <label>`. */
export interface Correction {
  repository: string;
  issue: number;
  kind: "verdict" | "owner";
  from: string;
  to: string;
  /** GitHub login of the person who corrected. */
  by: string;
  /** ISO 8601 */
  at: string;
}

export type SortField = "received_at" | "confidence" | "verdict" | "repository" | "owner" | "occurrences" | "duration_ms";

/** Filters of `CrashStore.query`, `/api/crashes` and the dashboard table. All optional, combined with AND. */
export interface CrashFilters {
  verdict?: VerdictKind[];
  /** Matches an owner's `owner` ("@acme/rdma") or `label` ("owner:rdma"); "none" matches records without owners. */
  owner?: string;
  /** "owner/name", exact. */
  repository?: string;
  signature?: string;
  /** Arrival (received_at) bounds, inclusive since, exclusive until. */
  since?: Date;
  until?: Date;
  sort?: SortField;
  order?: "asc" | "desc";
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "not an ISO 8601 date");

const ownerSchema = z.object({ owner: z.string(), label: z.string().nullable(), reason: z.string() });

/**
 * The contract's fields that the store, API and dashboard rely on are checked; everything else
 * (timeline entries, evidence facets, extension fields) passes through untouched, so a newer
 * writer's extra fields survive a round trip.
 */
export const crashRecordSchema = z.looseObject({
  schema: z.literal("casefile/v1"),
  bundle: z.string(),
  verdict: z.enum(VERDICT_KINDS),
  confidence: z.number().min(0).max(1),
  summary: z.string(),
  crash: z.looseObject({ title: z.string(), kind: z.string() }).nullable(),
  region: z.looseObject({ start: z.string(), end: z.string(), length: z.number() }).nullable(),
  frames: z.array(z.string()),
  timeline: z.array(z.looseObject({ ts: z.number(), event: z.string() })),
  suspect: z.looseObject({}).nullable(),
  owners: z.array(ownerSchema),
  labels: z.array(z.string()),
  evidence: z.array(z.looseObject({ claim: z.string(), weight: z.number() })),
  counter_evidence: z.array(z.looseObject({ claim: z.string(), weight: z.number() })),
  signature: z.string(),
  artifacts: z.array(z.looseObject({ name: z.string(), kind: z.string() })),
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "repository must be owner/name"),
  issue: z.number().int().positive(),
  issue_url: z.string(),
  received_at: isoDate,
  analyzed_at: isoDate,
  duration_ms: z.number().min(0),
});

export const correctionSchema = z.object({
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "repository must be owner/name"),
  issue: z.number().int().positive(),
  kind: z.enum(["verdict", "owner"]),
  from: z.string(),
  to: z.string(),
  by: z.string(),
  at: isoDate,
});

/**
 * The compact per-issue row that counts, filters and sorts read, so they never parse whole
 * verdicts (timelines and evidence can be large).
 */
export const crashSummarySchema = z.object({
  id: z.string(),
  repository: z.string(),
  issue: z.number(),
  title: z.string().nullable(),
  verdict: z.enum(VERDICT_KINDS),
  confidence: z.number(),
  owners: z.array(z.string()),
  owner_labels: z.array(z.string()),
  signature: z.string(),
  received_ms: z.number(),
  duration_ms: z.number(),
});
export type CrashSummary = z.infer<typeof crashSummarySchema>;

const VERDICT_SET = new Set<string>(VERDICT_KINDS);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * `crashSummarySchema`'s check, written out by hand: stats read every summary of the last 30
 * days on each dashboard load, and this is several times faster than a schema walk there.
 */
export function parseSummary(raw: string): CrashSummary | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (
    o === null ||
    typeof o !== "object" ||
    typeof o.id !== "string" ||
    typeof o.repository !== "string" ||
    typeof o.issue !== "number" ||
    (o.title !== null && typeof o.title !== "string") ||
    typeof o.verdict !== "string" ||
    !VERDICT_SET.has(o.verdict) ||
    typeof o.confidence !== "number" ||
    !isStrings(o.owners) ||
    !isStrings(o.owner_labels) ||
    typeof o.signature !== "string" ||
    typeof o.received_ms !== "number" ||
    typeof o.duration_ms !== "number"
  ) {
    return null;
  }
  return o as unknown as CrashSummary;
}

/** The latest correction of each kind for one issue. */
export const issueCorrectionsSchema = z.object({
  verdict: correctionSchema.optional(),
  owner: correctionSchema.optional(),
});
export type IssueCorrections = z.infer<typeof issueCorrectionsSchema>;

/** Store key of one issue: "owner/name#123". */
export function crashId(repository: string, issue: number): string {
  return `${repository}#${issue}`;
}

export function summarize(rec: CrashRecord): CrashSummary {
  return {
    id: crashId(rec.repository, rec.issue),
    repository: rec.repository,
    issue: rec.issue,
    title: rec.crash?.title ?? null,
    verdict: rec.verdict,
    confidence: rec.confidence,
    owners: rec.owners.map((o) => o.owner),
    owner_labels: rec.owners.map((o) => o.label).filter((l): l is string => l !== null),
    signature: rec.signature,
    received_ms: Date.parse(rec.received_at),
    duration_ms: rec.duration_ms,
  };
}

/** Parses a stored JSON value, naming the key when it is unreadable instead of crashing a page. */
export function parseStored<T>(schema: z.ZodType<T>, raw: string, what: string): T | Error {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return new Error(`stored ${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return new Error(`stored ${what} does not match its schema: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}
