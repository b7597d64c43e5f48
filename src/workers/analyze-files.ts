import { analyzeBundle } from "../analysis/analyze.js";
import type { CasefileConfig } from "../analysis/config/casefile-config.js";
import type { CasefileVerdict } from "../analysis/model/casefile-verdict.js";
import { ingestPaths } from "../analysis/ingest/path-ingest.js";

/** What one analysis needs, as plain data (it crosses a process boundary). */
export interface AnalysisInput {
  /** The bundle's name in the verdict: "owner/repo#123". */
  name: string;
  /** Downloaded files and saved code blocks, with the name the report shows for each. */
  files: { path: string; display: string }[];
  config: CasefileConfig;
  maintainers: { name: string; text: string } | null;
  codeowners: { name: string; text: string } | null;
}

/**
 * Ingests the files and analyses them. Artifacts are renamed from temp paths to what the issue
 * shows (the link's file name, "issue body, block 2"), so reports never leak worker paths.
 */
export async function analyzeFiles(input: AnalysisInput): Promise<CasefileVerdict> {
  const bundle = await ingestPaths(
    input.files.map((f) => f.path),
    input.config.artifacts,
    input.name,
  );
  try {
    for (const artifact of bundle.artifacts) {
      for (const f of input.files) {
        if (artifact.name === f.path || artifact.name.startsWith(`${f.path}:`)) {
          artifact.name = f.display + artifact.name.slice(f.path.length);
          break;
        }
      }
    }
    bundle.warnings = bundle.warnings.map((w) => input.files.reduce((s, f) => s.split(f.path).join(f.display), w));
    return await analyzeBundle(bundle, { config: input.config, maintainers: input.maintainers, codeowners: input.codeowners });
  } finally {
    await bundle.dispose();
  }
}
