import type { OwnerRule } from "../config/casefile-config.js";
import type { Owner } from "../model/region.js";
import { codeownersOwners, parseCodeowners } from "./codeowners.js";
import { guiltyFile as guiltyFileOf } from "./guilty-file.js";
import { maintainersOwners, parseMaintainers } from "./maintainers.js";
import { matchOwnerRules, type OwnerFacts } from "./owner-rules.js";

export interface ResolveOwnersInput {
  rules: OwnerRule[];
  facts: OwnerFacts;
  maintainers: { name: string; text: string } | null;
  codeowners: { name: string; text: string } | null;
  /** The crash report text, for the guilty file and MAINTAINERS `K:` keywords. */
  reportText: string | null;
}

export interface ResolvedOwners {
  /** First is the primary owner. */
  owners: Owner[];
  /** The source file blamed: the suspect's file, else the one the crash report points at. */
  guiltyFile: string | null;
  /** Owner labels of the matched config rules, in rule order, without repeats. */
  labels: string[];
  /** Plain-words problems with the MAINTAINERS / CODEOWNERS files (they never stop the analysis). */
  warnings: string[];
}

/**
 * Who owns the crash: the repository's owner rules first (all matches, first is primary);
 * when none matches, MAINTAINERS, then CODEOWNERS, on the guilty source file.
 */
export function resolveOwners(input: ResolveOwnersInput): ResolvedOwners {
  const warnings: string[] = [];
  const guiltyFile = input.facts.file ?? (input.reportText ? guiltyFileOf(input.reportText) : null);
  const facts: OwnerFacts = { ...input.facts, file: guiltyFile };

  const ruled = matchOwnerRules(input.rules, facts);
  if (ruled.length > 0) {
    const labels = [...new Set(ruled.map((o) => o.label).filter((l): l is string => l !== null))];
    return { owners: ruled, guiltyFile, labels, warnings };
  }

  if (input.maintainers) {
    const parsed = parseMaintainers(input.maintainers.text, input.maintainers.name);
    warnings.push(...parsed.warnings);
    const owners = maintainersOwners(parsed, guiltyFile, input.reportText);
    if (owners.length > 0) return { owners, guiltyFile, labels: [], warnings };
  }

  if (input.codeowners) {
    const parsed = parseCodeowners(input.codeowners.text, input.codeowners.name);
    warnings.push(...parsed.warnings);
    const owners = codeownersOwners(parsed, guiltyFile);
    if (owners.length > 0) return { owners, guiltyFile, labels: [], warnings };
  }

  return { owners: [], guiltyFile, labels: [], warnings };
}
