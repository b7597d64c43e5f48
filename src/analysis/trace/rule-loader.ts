import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError, durationSeconds, ruleSchema, type Rule } from "../config/casefile-config.js";

/** The built-in rules ship as readable YAML next to this module (copied into dist/ by the build). */
const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), "rules");

let builtIn: Rule[] | null = null;

/** Parses one rules file (a YAML list in the language of config.md); errors name the file and key. */
export function parseRules(text: string, origin: string): Rule[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${origin} is not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`, []);
  }
  const result = z.array(ruleSchema).safeParse(raw ?? []);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new ConfigError(`${origin} has invalid rules: ${problems.join("; ")}`, problems);
  }
  for (const rule of result.data) if (rule.within !== undefined) durationSeconds(rule.within);
  return result.data;
}

/** The built-in rules from `rules/*.rules.yml`, read once. */
export function builtInRules(): Rule[] {
  if (builtIn) return builtIn;
  const files = readdirSync(RULES_DIR)
    .filter((f) => f.endsWith(".rules.yml"))
    .sort();
  builtIn = files.flatMap((f) => parseRules(readFileSync(join(RULES_DIR, f), "utf8"), `rules/${f}`));
  return builtIn;
}

/** Built-in rules plus the repository's; a repository rule with a built-in's id replaces it. */
export function effectiveRules(repository: readonly Rule[]): Rule[] {
  const ids = new Set(repository.map((r) => r.id));
  return [...builtInRules().filter((r) => !ids.has(r.id)), ...repository];
}
