import nock from "nock";

/**
 * A small in-memory GitHub behind nock: one repository's issues, comments, labels and
 * label events, and app installation tokens. Failures can be injected per route.
 */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: "User" | "Bot" };
}
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  comments: FakeComment[];
  events: { event: string; label?: { name: string }; actor: { login: string; type: "User" | "Bot" } }[];
}

const API = "https://api.github.com";
export const BOT_LOGIN = "casefile[bot]";

export class FakeGitHub {
  readonly issues = new Map<number, FakeIssue>();
  readonly files = new Map<string, string>();
  readonly calls: { method: string; path: string }[] = [];
  permissions = new Map<string, string>();
  private nextCommentId = 1000;
  private failures: { method: string; pattern: RegExp; status: number; times: number; headers?: Record<string, string> }[] = [];

  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {}

  addIssue(number: number, title: string, body: string, labels: string[] = []): FakeIssue {
    const issue: FakeIssue = { number, title, body, labels, assignees: [], comments: [], events: [] };
    this.issues.set(number, issue);
    return issue;
  }

  /** The next `times` calls of METHOD on a path matching `pattern` answer `status`. */
  failNext(method: string, pattern: RegExp, status: number, times = 1, headers?: Record<string, string>): void {
    this.failures.push({ method, pattern, status, times, headers });
  }

  count(method: string, pattern: RegExp): number {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path)).length;
  }

  /** A person removes a label (recorded in the issue's events, as GitHub does). */
  personRemovesLabel(issue: number, label: string, login = "alice"): void {
    const i = this.issues.get(issue)!;
    i.labels = i.labels.filter((l) => l !== label);
    i.events.push({ event: "unlabeled", label: { name: label }, actor: { login, type: "User" } });
  }

  install(): void {
    const scope = nock(API).persist();
    const handle =
      (method: string) =>
      (uri: string, body: unknown): [number, unknown, Record<string, string>?] =>
        this.route(method, decodeURIComponent(uri.split("?")[0]), uri, body as Record<string, unknown>);
    const any = /.*/;
    scope.get(any).reply(handle("GET"));
    scope.post(any).reply(handle("POST"));
    scope.patch(any).reply(handle("PATCH"));
    scope.delete(any).reply(handle("DELETE"));
  }

  route(method: string, path: string, uri: string, body: Record<string, unknown>): [number, unknown, Record<string, string>?] {
    this.calls.push({ method, path });
    const failure = this.failures.find((f) => f.method === method && f.pattern.test(path) && f.times > 0);
    if (failure) {
      failure.times--;
      return [failure.status, { message: failure.status === 403 ? "You have exceeded a secondary rate limit" : "Server Error" }, failure.headers];
    }
    const base = `/repos/${this.owner}/${this.repo}`;
    let m: RegExpExecArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, { token: "ghs_faketoken", expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: "all" }];
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(path))) {
      const key = `${m[1]}/${m[2]}/${m[3]}`;
      const text = this.files.get(key);
      if (text === undefined) return [404, { message: "Not Found" }];
      // casefile and Probot's config plugin both ask for the raw format.
      return [200, text, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
    }
    if (!path.startsWith(base)) return [404, { message: "Not Found" }];
    const rest = path.slice(base.length);
    if (method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const p = this.permissions.get(m[1]) ?? "read";
      return [200, { permission: p, role_name: p, user: { login: m[1] } }];
    }
    if ((m = /^\/issues\/comments\/(\d+)(\/reactions)?$/.exec(rest))) {
      const id = Number(m[1]);
      const comment = [...this.issues.values()].flatMap((i) => i.comments).find((c) => c.id === id);
      if (!comment) return [404, { message: "Not Found" }];
      if (m[2]) return [201, { id: 1, content: body.content }];
      if (method === "PATCH") comment.body = String(body.body);
      return [200, comment];
    }
    m = /^\/issues\/(\d+)(\/.*)?$/.exec(rest);
    if (!m) return [404, { message: "Not Found" }];
    const issue = this.issues.get(Number(m[1]));
    if (!issue) return [404, { message: "Not Found" }];
    const sub = m[2] ?? "";
    const issueJson = () => ({
      number: issue.number,
      title: issue.title,
      body: issue.body,
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${issue.number}`,
      labels: issue.labels.map((name) => ({ name })),
      assignees: issue.assignees.map((login) => ({ login })),
      state: "open",
    });
    if (sub === "" && method === "GET") return [200, issueJson()];
    if (sub === "/comments" && method === "GET") return [200, issue.comments];
    if (sub === "/comments" && method === "POST") {
      const c: FakeComment = { id: this.nextCommentId++, body: String(body.body), user: { login: BOT_LOGIN, type: "Bot" } };
      issue.comments.push(c);
      return [201, c];
    }
    if (sub === "/events" && method === "GET") return [200, issue.events];
    if (sub === "/labels" && method === "POST") {
      for (const l of (body.labels as string[]) ?? []) {
        if (!issue.labels.includes(l)) {
          issue.labels.push(l);
          issue.events.push({ event: "labeled", label: { name: l }, actor: { login: BOT_LOGIN, type: "Bot" } });
        }
      }
      return [200, issue.labels.map((name) => ({ name }))];
    }
    if ((m = /^\/labels\/(.+)$/.exec(sub)) && method === "DELETE") {
      const name = m[1];
      if (!issue.labels.includes(name)) return [404, { message: "Label does not exist" }];
      issue.labels = issue.labels.filter((l) => l !== name);
      issue.events.push({ event: "unlabeled", label: { name }, actor: { login: BOT_LOGIN, type: "Bot" } });
      return [200, issue.labels.map((n) => ({ name: n }))];
    }
    if (sub === "/assignees" && method === "POST") {
      for (const a of (body.assignees as string[]) ?? []) if (!issue.assignees.includes(a)) issue.assignees.push(a);
      return [201, issueJson()];
    }
    return [404, { message: `fake GitHub has no ${method} ${path}` }];
  }
}
