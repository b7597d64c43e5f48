import { Probot, ProbotOctokit } from "probot";
import type { Logger } from "pino";

export interface ProbotSettings {
  appId: number;
  privateKey: string;
  /** Webhook secret; workers receive no webhooks and may pass any string. */
  secret: string;
  log?: Logger;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  baseUrl?: string;
}

/**
 * Probot configured for casefile. Octokit's own retries are off: BullMQ retries whole steps
 * with backoff, and those steps are idempotent (a blind re-POST after a 502 could post twice).
 * Rate limits are not waited out inside a job either: they surface as errors, and the worker
 * pauses the queue for as long as GitHub asks.
 */
export function createCasefileProbot(s: ProbotSettings): Probot {
  const Octokit = ProbotOctokit.defaults({
    retry: { enabled: false },
    throttle: { enabled: true, onRateLimit: () => false, onSecondaryRateLimit: () => false },
  });
  return new Probot({
    appId: s.appId,
    privateKey: s.privateKey,
    secret: s.secret,
    log: s.log,
    logLevel: s.logLevel,
    baseUrl: s.baseUrl,
    Octokit,
  });
}
