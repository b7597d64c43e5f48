import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Resolver } from "../../src/workers/address-policy.js";
import { AttachmentDownloader, DownloadRejected } from "../../src/workers/attachment-downloader.js";

/**
 * A name that resolves to a private address is refused inside the socket's own lookup, so
 * nothing connects. No nock in this file: the requests are real, and a TCP server on
 * 127.0.0.1 counts every connection that reaches it.
 */
let dir: string;
let server: Server;
let port: number;
let connections = 0;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "casefile-dns-test-"));
  connections = 0;
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const resolveTo =
  (...addresses: string[]): Resolver =>
  (_host, _opts, cb) =>
    cb(
      null,
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );

describe("host names resolving to forbidden addresses", () => {
  const cases: [string, string[], RegExp][] = [
    ["loopback", ["127.0.0.1"], /crash\.example\.org resolves to 127\.0\.0\.1 is a loopback address/],
    ["private", ["10.0.0.7"], /resolves to 10\.0\.0\.7 is a private address/],
    ["cloud metadata", ["169.254.169.254"], /resolves to 169\.254\.169\.254 is a link-local address/],
    ["IPv4-mapped IPv6 loopback", ["::ffff:127.0.0.1"], /resolves to 127\.0\.0\.1 is a loopback address/],
    ["one public and one private address (DNS rebinding)", ["140.82.112.3", "127.0.0.1"], /resolves to 127\.0\.0\.1 is a loopback address/],
  ];
  for (const [what, addresses, reason] of cases) {
    it(`${what}: refused, and nothing connects`, async () => {
      const dl = new AttachmentDownloader(dir, {
        allowedHosts: ["crash.example.org"],
        maxFileBytes: 1024,
        timeoutMs: 3000,
        idleTimeoutMs: 1000,
        maxRedirects: 2,
        resolver: resolveTo(...addresses),
      });
      const err = await dl.download(`http://crash.example.org:${port}/console.log`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DownloadRejected);
      expect((err as DownloadRejected).reason).toMatch(reason);
      expect(connections).toBe(0);
    });
  }
});
