import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AttachmentDownloader, DownloadFailed, DownloadRejected, type DownloadOptions } from "../../src/workers/attachment-downloader.js";

let dir: string;
const options = (o: Partial<DownloadOptions> = {}): DownloadOptions => ({
  allowedHosts: [],
  maxFileBytes: 1024,
  timeoutMs: 3000,
  idleTimeoutMs: 1000,
  maxRedirects: 3,
  ...o,
});
const URL1 = "https://github.com/user-attachments/files/1/console.log";

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "casefile-dl-test-"));
  nock.disableNetConnect();
});
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await rm(dir, { recursive: true, force: true });
});

describe("AttachmentDownloader", () => {
  it("streams an attachment through GitHub's redirect to object storage into a file", async () => {
    nock("https://github.com").get("/user-attachments/files/1/console.log").reply(302, "", { location: "https://objects.githubusercontent.com/x/1?sig=abc" });
    nock("https://objects.githubusercontent.com").get("/x/1").query(true).reply(200, "BUG: oops\n");
    const got = await new AttachmentDownloader(dir, options()).download(URL1);
    expect(await readFile(got.path, "utf8")).toBe("BUG: oops\n");
    expect(got.bytes).toBe(10);
  });

  it("re-checks every redirect: an allowed host may not send us to an internal address", async () => {
    nock("https://github.com").get("/user-attachments/files/1/console.log").reply(302, "", { location: "http://169.254.169.254/latest/meta-data/" });
    const err = await new AttachmentDownloader(dir, options()).download(URL1).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadRejected);
    expect(err.reason).toMatch(/redirected to .*169\.254\.169\.254.*link-local/);
  });

  it("refuses a file over the size limit, by its announced length or while streaming, and leaves no file behind", async () => {
    nock("https://github.com").get("/user-attachments/files/1/console.log").reply(200, "x".repeat(2000), { "content-length": "2000" });
    const announced = await new AttachmentDownloader(dir, options()).download(URL1).catch((e) => e);
    expect(announced.reason).toMatch(/2000 bytes, more than the limit of 1024/);
    nock("https://github.com")
      .get("/user-attachments/files/1/console.log")
      .reply(200, () => Readable.from([Buffer.alloc(800), Buffer.alloc(800)]));
    const streamed = await new AttachmentDownloader(dir, options()).download(URL1).catch((e) => e);
    expect(streamed).toBeInstanceOf(DownloadRejected);
    expect(streamed.reason).toMatch(/more than the limit of 1024 bytes/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("holds a file to what is left of the bundle's size limit", async () => {
    nock("https://github.com").get("/user-attachments/files/1/console.log").reply(200, "x".repeat(200), { "content-length": "200" });
    const err = await new AttachmentDownloader(dir, options()).download(URL1, 100).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadRejected);
    expect(err.reason).toMatch(/limit of 100 .*max_bundle_bytes/);
  });

  it("cuts off a server that stops sending", async () => {
    nock("https://github.com").get("/user-attachments/files/1/console.log").delay({ head: 0, body: 5000 }).reply(200, "late");
    const err = await new AttachmentDownloader(dir, options({ idleTimeoutMs: 300, timeoutMs: 1000 })).download(URL1).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadRejected);
    expect(err.reason).toMatch(/no data for|within/);
  });

  it("sorts answers: 404 is bad input, 503 is worth a retry", async () => {
    nock("https://raw.githubusercontent.com").get("/a/b/main/gone.log").reply(404, "");
    nock("https://raw.githubusercontent.com").get("/a/b/main/busy.log").reply(503, "");
    const dl = new AttachmentDownloader(dir, options());
    expect(await dl.download("https://raw.githubusercontent.com/a/b/main/gone.log").catch((e) => e)).toBeInstanceOf(DownloadRejected);
    expect(await dl.download("https://raw.githubusercontent.com/a/b/main/busy.log").catch((e) => e)).toBeInstanceOf(DownloadFailed);
  });

  it("uses the installation token for a private repository's attachment, and only on GitHub", async () => {
    nock("https://github.com").get("/user-attachments/files/1/console.log").reply(404, "");
    nock("https://github.com", { reqheaders: { authorization: "token ghs_secret" } })
      .get("/user-attachments/files/1/console.log")
      .reply(302, "", { location: "https://objects.githubusercontent.com/x/2" });
    nock("https://objects.githubusercontent.com", { badheaders: ["authorization"] }).get("/x/2").reply(200, "private log");
    const got = await new AttachmentDownloader(dir, options({ token: async () => "ghs_secret" })).download(URL1);
    expect(await readFile(got.path, "utf8")).toBe("private log");
  });
});
