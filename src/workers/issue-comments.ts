import type { InstallationOctokit } from "./github-access.js";

/** Hidden markers that find the app's own comments again, so reruns edit instead of adding. */
export const REPORT_MARKER = "<!-- casefile:report -->";
export const CONFIG_ERROR_MARKER = "<!-- casefile:config-error -->";

export interface IssueRef {
  owner: string;
  repo: string;
  issue: number;
}

interface CommentLike {
  id: number;
  body?: string | null;
  user?: { type?: string; login?: string } | null;
}

export function isOwnComment(c: CommentLike, marker: string): boolean {
  return !!c.body?.includes(marker) && (c.user?.type === "Bot" || !!c.user?.login?.endsWith("[bot]"));
}

export async function listComments(octokit: InstallationOctokit, ref: IssueRef): Promise<CommentLike[]> {
  return (await octokit.paginate(octokit.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.issue,
    per_page: 100,
  })) as CommentLike[];
}

/**
 * One comment per issue and marker: found and edited in place, created only when absent.
 * Returns what was done, so callers and tests can tell.
 */
export async function upsertMarkedComment(
  octokit: InstallationOctokit,
  ref: IssueRef,
  marker: string,
  body: string,
): Promise<"created" | "updated" | "unchanged"> {
  const full = `${marker}\n${body}`;
  const existing = (await listComments(octokit, ref)).find((c) => isOwnComment(c, marker));
  if (existing) {
    if (existing.body === full) return "unchanged";
    await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: existing.id, body: full });
    return "updated";
  }
  await octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.issue, body: full });
  return "created";
}
