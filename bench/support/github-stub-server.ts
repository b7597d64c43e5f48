import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGitHub } from "../../test/pipeline/fake-github.js";

/**
 * The pipeline benchmark's GitHub: the pipeline tests' in-memory FakeGitHub (issues, comments,
 * labels, events, installation tokens, contents) served over real HTTP on loopback, so worker
 * processes reach it through their ordinary Octokit. Records when each issue got its report.
 */
export interface GitHubStub {
  fake: FakeGitHub;
  url: string;
  /** Issue number -> ms timestamp of the first comment carrying `marker`. */
  reportedAt: Map<number, number>;
  requests: number;
  close(): Promise<void>;
}

export async function startGitHubStub(owner: string, repo: string, marker: string): Promise<GitHubStub> {
  const fake = new FakeGitHub(owner, repo);
  const reportedAt = new Map<number, number>();
  const stub = { fake, url: "", reportedAt, requests: 0, close: async () => undefined } as GitHubStub;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      stub.requests++;
      const text = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const uri = req.url ?? "/";
      const path = decodeURIComponent(uri.split("?")[0]);
      const [status, payload, headers] = fake.route(req.method ?? "GET", path, uri, body);
      const m = /\/issues\/(\d+)\/comments$/.exec(path);
      if (m && req.method === "POST" && status === 201 && String(body.body ?? "").includes(marker) && !reportedAt.has(Number(m[1]))) reportedAt.set(Number(m[1]), Date.now());
      const isText = typeof payload === "string";
      res.writeHead(status, { "content-type": isText ? "text/plain" : "application/json", ...(headers ?? {}) });
      res.end(isText ? payload : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}
