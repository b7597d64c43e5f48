import type { Bundle } from "../model/artifact.js";

/** One bundle from several (issue body, comments, attachments); disposing it disposes them all. */
export function mergeBundles(name: string, bundles: Bundle[]): Bundle {
  const parts = [...bundles];
  return {
    name,
    artifacts: parts.flatMap((b) => b.artifacts),
    warnings: parts.flatMap((b) => b.warnings),
    dispose: async () => {
      await Promise.allSettled(parts.map((b) => b.dispose()));
    },
  };
}
