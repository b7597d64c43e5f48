import { describe, expect, it } from "vitest";
import { routeCommentEvent, routeIssueEvent, type IssueCommentPayload, type IssuesPayload } from "../../src/bot/event-routing.js";

const repo = { name: "kernel", owner: { login: "acme" } };
const issue = (body: string, labels: string[] = []): IssuesPayload => ({
  action: "opened",
  issue: { number: 7, body, labels: labels.map((name) => ({ name })) },
  repository: repo,
  installation: { id: 3 },
  sender: { login: "alice", type: "User" },
});
const jobId = (r: ReturnType<typeof routeIssueEvent>) => ("route" in r ? r.route.jobId : null);

describe("routeIssueEvent", () => {
  it("queues an opened issue that may be a crash issue, and ignores one that cannot be", () => {
    expect("route" in routeIssueEvent(issue("BUG: KASAN: use-after-free in f+0x1/0x2"), "d1", "t")).toBe(true);
    expect("route" in routeIssueEvent(issue("plain text", ["crash"]), "d1", "t")).toBe(true);
    expect(routeIssueEvent(issue("please add a feature"), "d1", "t")).toEqual({ ignored: "no label, artifact or crash report" });
  });

  it("gives a redelivery, and an edit that changes no artifact, the job id already queued", () => {
    const body = "log: https://github.com/user-attachments/files/1/a.log";
    const opened = jobId(routeIssueEvent(issue(body), "d1", "t1"));
    expect(jobId(routeIssueEvent(issue(body), "d2", "t2"))).toBe(opened);
    const edited = { ...issue(`${body}\n\nmore words`), action: "edited", changes: { body: { from: body } } };
    expect(jobId(routeIssueEvent(edited, "d3", "t3"))).toBe(opened);
    const newArtifact = { ...issue(`${body} https://github.com/user-attachments/files/2/b.log`), action: "edited", changes: { body: { from: body } } };
    expect(jobId(routeIssueEvent(newArtifact, "d4", "t4"))).not.toBe(opened);
  });

  it("ignores what the app itself did, title-only edits, and pull requests", () => {
    expect(routeIssueEvent({ ...issue("x", ["crash"]), sender: { login: "casefile[bot]", type: "Bot" } }, "d", "t")).toEqual({ ignored: "sent by a bot" });
    expect(routeIssueEvent({ ...issue("x", ["crash"]), action: "edited", changes: {} }, "d", "t")).toEqual({ ignored: "edit without a body change" });
    expect(routeIssueEvent({ ...issue("x", ["crash"]), issue: { number: 7, pull_request: {} } }, "d", "t")).toEqual({ ignored: "a pull request" });
  });

  it("queues a label per label added", () => {
    const labeled = { ...issue("x"), action: "labeled", label: { name: "crash" } };
    const r = routeIssueEvent(labeled, "d", "t");
    expect("route" in r && r.route.job).toMatchObject({ event: "labeled", label: "crash", owner: "acme", repo: "kernel", issue: 7, installationId: 3 });
  });
});

describe("routeCommentEvent", () => {
  const comment = (body: string, login = "bob"): IssueCommentPayload => ({
    action: "created",
    issue: { number: 7 },
    comment: { id: 99, body, user: { login, type: "User" } },
    repository: repo,
    installation: { id: 3 },
    sender: { login, type: "User" },
  });

  it("queues commands and new attachments, ignores chatter", () => {
    const r = routeCommentEvent(comment("/casefile rerun"), "d", "t");
    expect("route" in r && r.route.job.commands).toEqual([{ kind: "rerun" }]);
    expect("route" in routeCommentEvent(comment("another log: https://github.com/user-attachments/files/3/c.log"), "d", "t")).toBe(true);
    expect(routeCommentEvent(comment("+1, same here"), "d", "t")).toEqual({ ignored: "no command or artifact" });
  });

  it("runs a command once per comment: an edit that keeps it maps to the same job", () => {
    const a = routeCommentEvent(comment("/casefile rerun"), "d1", "t");
    const b = routeCommentEvent({ ...comment("/casefile rerun\n(typo fixed)"), action: "edited" }, "d2", "t");
    expect("route" in a && "route" in b && a.route.jobId === b.route.jobId).toBe(true);
  });
});
