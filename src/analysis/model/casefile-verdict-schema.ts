import { z } from "zod";
import { ARCHES } from "./machine.js";
import { VERDICT_KINDS } from "./verdict-kind.js";

/**
 * Zod schemas of the `casefile/v1` JSON verdict (shared/spec/verdict.md, docs/contract.md), for
 * tests and for anyone validating stored or printed verdicts. Objects are loose: the contract
 * welcomes extra fields, so only the named fields are checked, with their exact types.
 *
 * - `contractVerdictSchema`: only the fields verdict.md fixes (what an outside tool relies on).
 * - `casefileVerdictSchema`: those plus casefile's documented extensions, which casefile's own
 *   output always carries.
 */

/** Addresses and frame numbers: lowercase hex with `0x` (verdict.md). */
export const hexAddressSchema = z.string().regex(/^0x[0-9a-f]+$/, "lowercase hex with 0x");

const verdictKindSchema = z.enum(VERDICT_KINDS);
const alignmentSchema = z.enum(["page", "cache-line", "word", "unaligned"]);
const count = z.number().int().nonnegative();
const unit = z.number().min(0).max(1);

const crashSchema = z.looseObject({
  title: z.string().min(1),
  kind: z.string().min(1),
  frame: z.string().nullable(),
  address: hexAddressSchema.nullable(),
  access: z.enum(["read", "write"]).nullable(),
  size: count.nullable(),
  task: z.string().nullable(),
  pid: count.nullable(),
  cpu: count.nullable(),
  modules: z.array(z.string()),
  stack: z.array(z.string()),
  arch: z.enum(ARCHES as [string, ...string[]]).nullable(),
  kernel: z.string().nullable(),
});

const regionFields = {
  start: hexAddressSchema,
  end: hexAddressSchema,
  length: z.number().int().positive(),
  alignment: alignmentSchema,
  granule: z.number().int().positive(),
  source: z.string().min(1),
};

const timelineFields = {
  ts: z.number(),
  event: z.string().min(1),
  pfn: hexAddressSchema.nullable(),
  device: z.string().nullable(),
  detail: z.string(),
  source: z.string().min(1),
};

const suspectSchema = z.looseObject({
  device: z.string().nullable(),
  driver: z.string().nullable(),
  function: z.string().nullable(),
  file: z.string().nullable(),
});

const ownerFields = { owner: z.string().min(1), label: z.string().min(1).nullable(), reason: z.string().min(1) };
const evidenceFields = { claim: z.string().min(1), weight: unit, source: z.string().nullable() };

const artifactSchema = z.looseObject({
  name: z.string().min(1),
  kind: z.enum([
    "console-log",
    "ftrace",
    "trace-cmd",
    "jsonl-events",
    "hexdump",
    "xxd",
    "crash-rd",
    "elf-vmcore",
    "symbol-map",
    "lspci",
    "maintainers",
    "codeowners",
    "unknown",
  ]),
  bytes: count,
  events: count.optional(),
  warnings: z.array(z.string()),
});

const contractFields = {
  schema: z.literal("casefile/v1"),
  bundle: z.string().min(1),
  verdict: verdictKindSchema,
  confidence: unit,
  summary: z.string().min(1),
  crash: crashSchema.nullable(),
  region: z.looseObject(regionFields).nullable(),
  frames: z.array(hexAddressSchema),
  timeline: z.array(z.looseObject(timelineFields)),
  suspect: suspectSchema.nullable(),
  owners: z.array(z.looseObject(ownerFields)),
  labels: z.array(z.string().min(1)),
  evidence: z.array(z.looseObject(evidenceFields)),
  counter_evidence: z.array(z.looseObject(evidenceFields)),
  signature: z.string().min(1),
  artifacts: z.array(artifactSchema),
};

/** The fields verdict.md fixes, nothing more. */
export const contractVerdictSchema = z.looseObject(contractFields);

const evidenceWithExtensions = z.looseObject({
  ...evidenceFields,
  verdict: verdictKindSchema,
  facet: z.enum(["crash-report", "alignment", "content", "fill", "trace", "address-match", "owner"]),
});

/** The contract plus casefile's documented extensions (docs/contract.md). */
export const casefileVerdictSchema = z.looseObject({
  ...contractFields,
  region: z.looseObject({ ...regionFields, content: z.string().nullable() }).nullable(),
  timeline: z.array(
    z.looseObject({
      ...timelineFields,
      cpu: count.nullable(),
      task: z.string().nullable(),
      pid: count.nullable(),
      step: z.number().int().positive().optional(),
    }),
  ),
  owners: z.array(z.looseObject({ ...ownerFields, assign: z.boolean().optional() })),
  evidence: z.array(evidenceWithExtensions),
  counter_evidence: z.array(evidenceWithExtensions),
  missing: z.array(z.string().min(1)),
  stale_mappings: z.array(
    z.looseObject({
      pfn: hexAddressSchema,
      device: z.string().min(1),
      driver: z.string().nullable(),
      mapped_at: z.number(),
      reused_at: z.number(),
      reuse: z.string(),
      score: unit,
      source: z.string().min(1),
    }),
  ),
  excerpt: z
    .looseObject({
      base: hexAddressSchema,
      bytes: z.string().regex(/^(?:[0-9a-f]{2})*$/, "hex bytes, two lowercase digits each"),
      start: hexAddressSchema,
      end: hexAddressSchema,
    })
    .nullable(),
  scores: z.array(z.looseObject({ verdict: verdictKindSchema, score: unit })),
  guilty_file: z.string().min(1).nullable(),
  warnings: z.array(z.string()),
  machine: z.looseObject({
    arch: z.enum(ARCHES as [string, ...string[]]),
    page_size: z.number().int().positive(),
    cache_line: z.number().int().positive(),
    endianness: z.enum(["little", "big"]),
  }),
});

export type ContractVerdictJson = z.infer<typeof contractVerdictSchema>;
export type CasefileVerdictJson = z.infer<typeof casefileVerdictSchema>;

/** Plain-words problems of a would-be verdict ("crash.address: lowercase hex with 0x"), empty when valid. */
export function verdictProblems(value: unknown, schema: z.ZodType = casefileVerdictSchema): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.map(String).join(".") || "(top level)"}: ${i.message}`);
}
