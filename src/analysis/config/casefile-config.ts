import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ARCHES } from "../model/machine.js";
import { VERDICT_KINDS } from "../model/verdict-kind.js";

/** `.github/casefile.yml` (shared/spec/config.md). Every key optional; defaults as the spec gives. */

const MiB = 1024 * 1024;

const eventNames = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const bindings = z.record(z.string(), z.string());

export const ruleStepSchema = z
  .object({
    event: eventNames,
    /** Capture fields of the matched event into variables: `{ device: $dev }`. */
    bind: bindings.optional(),
    /** Require fields to equal literals or already-bound variables. */
    where: bindings.optional(),
  })
  .strict();

/** "5s", "250ms", "2m", "1h", or a number of seconds. */
export const durationSchema = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(us|ms|s|m|h)$/, "a duration such as 250ms, 5s, 2m or 1h"),
]);

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, '.', '_' or '-'"),
    verdict: z.enum(VERDICT_KINDS),
    description: z.string().optional(),
    steps: z.array(ruleStepSchema).min(1),
    absent: z.array(ruleStepSchema).default([]),
    within: durationSchema.optional(),
    suspect: z.string().optional(),
    /** 0..1, how strongly a match supports the verdict (built-in rules set it; default 0.6). */
    weight: z.number().min(0).max(1).optional(),
  })
  .strict();

const ownerMatchSchema = z
  .object({
    driver: z.string().min(1).optional(),
    device: z.string().min(1).optional(),
    module: z.string().min(1).optional(),
    function: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    verdict: z.enum(VERDICT_KINDS).optional(),
  })
  .strict()
  .refine((m) => Object.keys(m).length > 0, "a match needs at least one of driver, device, module, function, file, verdict");

export const ownerRuleSchema = z
  .object({
    match: ownerMatchSchema,
    owner: z.string().min(1),
    label: z.string().min(1).optional(),
    assign: z.boolean().default(false),
  })
  .strict();

export const configSchema = z
  .object({
    arch: z.enum(ARCHES as [string, ...string[]]).optional(),
    page_size: z
      .number()
      .int()
      .positive()
      .refine((n) => (n & (n - 1)) === 0, "a power of two")
      .optional(),
    trigger: z
      .object({
        labels: z.array(z.string().min(1)).default(["crash"]),
        detect_in_body: z.boolean().default(true),
      })
      .strict()
      .default({ labels: ["crash"], detect_in_body: true }),
    artifacts: z
      .object({
        max_file_bytes: z.number().int().positive().default(100 * MiB),
        max_bundle_bytes: z.number().int().positive().default(1024 * MiB),
        allowed_hosts: z.array(z.string().min(1)).default([]),
        /** Extension: most entries read from archives, over the whole bundle. */
        max_archive_entries: z.number().int().positive().default(10_000),
        /** Extension: archives inside archives, at most this deep. */
        max_nesting_depth: z.number().int().min(0).default(4),
      })
      .strict()
      .default({
        max_file_bytes: 100 * MiB,
        max_bundle_bytes: 1024 * MiB,
        allowed_hosts: [],
        max_archive_entries: 10_000,
        max_nesting_depth: 4,
      }),
    labels: z
      .object({
        verdict_prefix: z.string().default("crash:"),
        apply: z.boolean().default(true),
      })
      .strict()
      .default({ verdict_prefix: "crash:", apply: true }),
    owners: z.array(ownerRuleSchema).default([]),
    maintainers: z.string().min(1).optional(),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

export type CasefileConfig = z.infer<typeof configSchema>;
export type OwnerRule = z.infer<typeof ownerRuleSchema>;
export type OwnerMatch = OwnerRule["match"];
export type Rule = z.infer<typeof ruleSchema>;
export type RuleStep = z.infer<typeof ruleStepSchema>;
export type Limits = CasefileConfig["artifacts"];

/** A config that names the key and the problem in plain words. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export const DEFAULT_CONFIG: CasefileConfig = configSchema.parse({});

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(top level)";
}

/** The keys the schema allows at a path (through defaults, optionals and arrays), for "did you mean". */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  interface Def {
    type?: string;
    shape?: Record<string, { _zod: { def: Def } }>;
    innerType?: { _zod: { def: Def } };
    element?: { _zod: { def: Def } };
  }
  let def = (configSchema as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (d: Def): Def => {
    let cur = d;
    for (let i = 0; i < 8 && cur.innerType; i++) cur = cur.innerType._zod.def;
    return cur;
  };
  for (const step of path) {
    def = unwrap(def);
    if (typeof step === "number" && def.element) def = def.element._zod.def;
    else if (typeof step === "string" && def.shape?.[step]) def = def.shape[step]._zod.def;
    else return [];
  }
  def = unwrap(def);
  return def.shape ? Object.keys(def.shape) : [];
}

/** Edit distance, to suggest `driver` for `drivr`. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function unknownKeyProblem(path: readonly PropertyKey[], key: string): string {
  const allowed = allowedKeys(path);
  const near = allowed.filter((k) => distance(k, key) <= Math.max(1, Math.floor(k.length / 3))).sort((a, b) => distance(a, key) - distance(b, key));
  const hint = near.length > 0 ? ` (did you mean \`${near[0]}\`?)` : "";
  const known = allowed.length > 0 ? `; known keys: ${allowed.join(", ")}` : "";
  return `${keyPath([...path, key])}: unknown key \`${key}\`${hint}${known}`;
}

/** Validates an already-parsed object (Probot's context.config() hands us one). */
export function validateConfig(raw: unknown, origin = ".github/casefile.yml"): CasefileConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  // A key that is unknown also leaves its object looking empty: say only the first.
  const unknownAt = new Set(result.error.issues.filter((i) => i.code === "unrecognized_keys").map((i) => keyPath(i.path)));
  const problems = result.error.issues.flatMap((issue) => {
    const where = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") return issue.keys.map((k) => unknownKeyProblem(issue.path, k));
    if (issue.code === "custom" && unknownAt.has(where)) return [];
    if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) return [`${where}: missing; it is required`];
    if (issue.code === "too_small" && issue.origin === "string" && issue.minimum === 1) return [`${where}: must not be empty`];
    return [`${where}: ${issue.message}`];
  });
  throw new ConfigError(`${origin} is not valid: ${problems.join("; ")}`, problems);
}

/** Parses YAML (or JSON) text and validates it. */
export function parseConfig(text: string, origin = ".github/casefile.yml"): CasefileConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError(`${origin} is not valid YAML: ${msg}`, [msg]);
  }
  return validateConfig(raw, origin);
}

/** Parses a rule duration to seconds. */
export function durationSeconds(value: number | string): number {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)$/.exec(value);
  if (!m) throw new ConfigError(`not a duration: ${value}`, [value]);
  const n = Number(m[1]);
  const unit = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }[m[2] as "us" | "ms" | "s" | "m" | "h"];
  return n * unit;
}
