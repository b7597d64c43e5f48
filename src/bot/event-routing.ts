import { artifactSetKey, extractArtifactRefs } from "./artifact-links.js";
import { parseCommands } from "./commands.js";
import { looksLikeKernelCrash } from "./crash-report-detect.js";
import { intakeJobId, stableJsonKey } from "./job-keys.js";
import type { IntakeJob } from "../workers/job-data.js";

/**
 * Turns a webhook payload into an intake job, or null when the event cannot matter. Pure and
 * cheap: no GitHub or Redis call, so the webhook is answered within milliseconds. The config
 * (trigger labels, allowed hosts) is read by the intake worker, which makes the final call.
 */

interface Sender {
  login: string;
  type?: string;
}
interface IssueLike {
  number: number;
  body?: string | null;
  labels?: ({ name?: string } | string)[];
  pull_request?: unknown;
}
/** What issues and issue_comment deliveries both carry. */
interface IssueEventPayload {
  action: string;
  issue: IssueLike;
  changes?: { body?: unknown };
  repository: { name: string; owner: { login: string } };
  installation?: { id: number };
  sender: Sender;
}
export interface IssuesPayload extends IssueEventPayload {
  label?: { name: string };
}
export interface IssueCommentPayload extends IssueEventPayload {
  comment: { id: number; body?: string | null; user?: Sender | null };
}

export interface RoutedJob {
  jobId: string;
  job: IntakeJob;
}

export type Routing = { route: RoutedJob } | { ignored: string };

function base(p: IssuesPayload | IssueCommentPayload, deliveryId: string, receivedAt: string) {
  return {
    installationId: p.installation?.id ?? 0,
    owner: p.repository.owner.login,
    repo: p.repository.name,
    issue: p.issue.number,
    sender: p.sender.login,
    deliveryId,
    receivedAt,
  };
}

/** Events the app itself caused (its labels, its comments) must never loop back. */
function isBot(sender: Sender | null | undefined): boolean {
  return !!sender && (sender.type === "Bot" || sender.login.endsWith("[bot]"));
}

export function routeIssueEvent(p: IssuesPayload, deliveryId: string, receivedAt: string): Routing {
  if (!p.installation?.id) return { ignored: "no installation in the payload" };
  if (isBot(p.sender)) return { ignored: "sent by a bot" };
  if (p.issue.pull_request) return { ignored: "a pull request" };
  const body = p.issue.body ?? "";
  const refs = extractArtifactRefs(body, "issue body");
  const setKey = artifactSetKey(refs);
  const issueKey = { owner: p.repository.owner.login, repo: p.repository.name, issue: p.issue.number };
  switch (p.action) {
    case "opened":
    case "reopened":
    case "edited": {
      if (p.action === "edited" && !p.changes?.body) return { ignored: "edit without a body change" };
      const hasLabels = (p.issue.labels ?? []).length > 0;
      if (!hasLabels && refs.length === 0 && !looksLikeKernelCrash(body)) return { ignored: "no label, artifact or crash report" };
      // opened, edited and reopened share a key: an edit that changes no artifact is a no-op.
      const jobId = intakeJobId(issueKey, setKey, "issue");
      return { route: { jobId, job: { ...base(p, deliveryId, receivedAt), event: p.action, commands: [] } } };
    }
    case "labeled": {
      const label = p.label?.name;
      if (!label) return { ignored: "labeled without a label" };
      const jobId = intakeJobId(issueKey, setKey, `label ${label}`);
      return { route: { jobId, job: { ...base(p, deliveryId, receivedAt), event: "labeled", label, commands: [] } } };
    }
    default:
      return { ignored: `issues.${p.action} is not handled` };
  }
}

export function routeCommentEvent(p: IssueCommentPayload, deliveryId: string, receivedAt: string): Routing {
  if (!p.installation?.id) return { ignored: "no installation in the payload" };
  if (p.action !== "created" && p.action !== "edited") return { ignored: `issue_comment.${p.action} is not handled` };
  if (isBot(p.sender) || isBot(p.comment.user)) return { ignored: "sent by a bot" };
  if (p.issue.pull_request) return { ignored: "a pull request" };
  const body = p.comment.body ?? "";
  const commands = parseCommands(body);
  const refs = extractArtifactRefs(body, `comment ${p.comment.id}`);
  if (commands.length === 0 && refs.length === 0) return { ignored: "no command or artifact" };
  const issueKey = { owner: p.repository.owner.login, repo: p.repository.name, issue: p.issue.number };
  // A command runs once per comment (an edit that keeps it does not repeat it); new artifacts re-triage.
  const trigger = `comment ${p.comment.id} ${stableJsonKey(commands)}`;
  const jobId = intakeJobId(issueKey, artifactSetKey(refs), trigger);
  return { route: { jobId, job: { ...base(p, deliveryId, receivedAt), event: "comment", commentId: p.comment.id, commands } } };
}
