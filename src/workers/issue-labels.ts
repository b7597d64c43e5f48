import type { InstallationOctokit } from "./github-access.js";
import type { IssueRef } from "./issue-comments.js";

/** Removes a label from the issue; a 404 (the label is already gone) is not an error. */
export async function removeIssueLabel(octokit: InstallationOctokit, ref: IssueRef, name: string): Promise<void> {
  try {
    await octokit.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, name });
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
  }
}
