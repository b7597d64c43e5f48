import nock from "nock";
import { FakeGitHub } from "../pipeline/fake-github.js";

/**
 * Many repositories behind one nock interceptor: each request goes to the FakeGitHub of the
 * repository in its path (installation tokens and the like to the first). Passed to
 * startPipeline in place of a single FakeGitHub.
 */
export class ManyReposGitHub extends FakeGitHub {
  readonly repos = new Map<string, FakeGitHub>();

  constructor(names: string[]) {
    const [owner, repo] = names[0]!.split("/") as [string, string];
    super(owner, repo);
    for (const name of names) {
      const [o, r] = name.split("/") as [string, string];
      this.repos.set(name, name === names[0] ? this : new FakeGitHub(o, r));
    }
  }

  override install(): void {
    const scope = nock("https://api.github.com").persist();
    const handle = (method: string) => (uri: string, body: unknown) => {
      const path = decodeURIComponent(uri.split("?")[0]!);
      const m = /^\/repos\/([^/]+)\/([^/]+)/.exec(path);
      const target = (m && this.repos.get(`${m[1]}/${m[2]}`)) || this;
      const route = target === this ? super.route.bind(this) : target.route.bind(target);
      return route(method, path, uri, body as Record<string, unknown>);
    };
    for (const method of ["GET", "POST", "PATCH", "DELETE"] as const) {
      scope.intercept(/.*/, method).reply(handle(method));
    }
  }

  override route(method: string, path: string, uri: string, body: Record<string, unknown>) {
    return super.route(method, path, uri, body);
  }

  /** Every repository's FakeGitHub, this one included. */
  all(): FakeGitHub[] {
    return [...this.repos.values()];
  }
}
