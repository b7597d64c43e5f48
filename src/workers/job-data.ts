import { z } from "zod";

/**
 * The data of every job, validated when a worker takes it (a job written by an older or
 * newer version fails plainly instead of half-working). Job data never holds a secret:
 * workers fetch installation tokens themselves.
 */

const issueRef = {
  installationId: z.number().int().positive(),
  owner: z.string().min(1),
  repo: z.string().min(1),
  issue: z.number().int().positive(),
};

export const commandSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rerun") }),
  z.object({ kind: z.literal("explain") }),
  z.object({ kind: z.literal("owner"), label: z.string() }),
  z.object({ kind: z.literal("wrong"), verdict: z.string() }),
  z.object({ kind: z.literal("invalid"), text: z.string(), problem: z.string() }),
]);

/** An issue event or comment that may need triage: the worker loads the config and decides. */
export const intakeJobSchema = z.object({
  ...issueRef,
  event: z.enum(["opened", "edited", "reopened", "labeled", "comment"]),
  /** The label added, for `labeled`. */
  label: z.string().optional(),
  commentId: z.number().int().optional(),
  commands: z.array(commandSchema).default([]),
  sender: z.string(),
  deliveryId: z.string(),
  receivedAt: z.string(),
});
export type IntakeJob = z.infer<typeof intakeJobSchema>;

export const linkSchema = z.object({ url: z.string(), origin: z.string() });
export const codeBlockSchema = z.object({ source: z.string(), index: z.number().int(), text: z.string() });

export const analyzeJobSchema = z.object({
  ...issueRef,
  issueUrl: z.string(),
  title: z.string(),
  explain: z.boolean().default(false),
  links: z.array(linkSchema),
  codeBlocks: z.array(codeBlockSchema),
  /** The validated repository config, as plain data. */
  config: z.unknown(),
  receivedAt: z.string(),
  /** When intake asked for this analysis (ms): a slower, older analysis never overwrites a newer report. */
  requestedAt: z.number().default(0),
});
export type AnalyzeJob = z.infer<typeof analyzeJobSchema>;

export const unreadableSchema = z.object({ what: z.string(), reason: z.string() });
export type Unreadable = z.infer<typeof unreadableSchema>;

export const publishJobSchema = z.object({
  ...issueRef,
  issueUrl: z.string(),
  explain: z.boolean(),
  /** The CasefileVerdict (JSON of verdict.md). */
  verdict: z.record(z.string(), z.unknown()),
  unreadable: z.array(unreadableSchema),
  config: z.unknown(),
  receivedAt: z.string(),
  analyzedAt: z.string(),
  durationMs: z.number(),
  requestedAt: z.number().default(0),
  /** The analyze job's id: the record step's id derives from it. */
  analysisId: z.string(),
});
export type PublishJob = z.infer<typeof publishJobSchema>;

export const recordJobSchema = z.object({
  record: z.record(z.string(), z.unknown()),
});
export type RecordJob = z.infer<typeof recordJobSchema>;
