import { createHash } from "node:crypto";

/**
 * Job ids that make the pipeline idempotent: the same event delivered twice, or an edit that
 * changes no artifact, maps to an id BullMQ already holds, so nothing new is queued.
 * BullMQ ids may not contain ':'.
 */
function digest(parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

export interface IssueKey {
  owner: string;
  repo: string;
  issue: number;
}

/** Intake of an issue event: issue + the artifact set its text carries + what triggered it. */
export function intakeJobId(issue: IssueKey, artifactSetKey: string, trigger: string): string {
  return `in_${digest([issue.owner.toLowerCase(), issue.repo.toLowerCase(), issue.issue, artifactSetKey, trigger])}`;
}

/** Analysis of an issue's full artifact set under one config; a rerun or explain adds its comment id. */
export function analyzeJobId(issue: IssueKey, artifactSetKey: string, configKey: string, variant = ""): string {
  return `an_${digest([issue.owner.toLowerCase(), issue.repo.toLowerCase(), issue.issue, artifactSetKey, configKey, variant])}`;
}

export function publishJobId(analyzeJobId: string): string {
  return `pub_${analyzeJobId}`;
}

export function recordJobId(analyzeJobId: string): string {
  return `rec_${analyzeJobId}`;
}

export function stableJsonKey(value: unknown): string {
  return digest([JSON.stringify(sortKeys(value))]);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
