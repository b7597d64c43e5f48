import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { basename, join } from "node:path";
import { checkUrl, createSafeLookup, LinkRefused, TOKEN_HOSTS, type Resolver } from "./address-policy.js";

/** A link that will never be readable (refused, missing, too large, too slow): reported, not retried. */
export class DownloadRejected extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "DownloadRejected";
  }
}

/** A failure that may pass (5xx, 429, connection reset): the job is retried with backoff. */
export class DownloadFailed extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = "DownloadFailed";
  }
}

export interface DownloadOptions {
  allowedHosts: readonly string[];
  maxFileBytes: number;
  /** Whole download, first byte to last. */
  timeoutMs: number;
  /** No byte for this long ends the download. */
  idleTimeoutMs: number;
  maxRedirects: number;
  /** Installation token for private repositories' files on GitHub; asked for only when GitHub refuses anonymously. */
  token?: () => Promise<string>;
  resolver?: Resolver;
  /** Observes downloaded bytes (metrics). */
  onBytes?: (n: number) => void;
}

export const DEFAULT_DOWNLOAD_OPTIONS: Omit<DownloadOptions, "allowedHosts" | "maxFileBytes"> = {
  timeoutMs: 120_000,
  idleTimeoutMs: 20_000,
  maxRedirects: 5,
};

export interface Downloaded {
  url: string;
  path: string;
  bytes: number;
}

interface Response {
  status: number;
  location?: string;
  length: number | null;
  stream: http.IncomingMessage;
}

/** Streams links to files in one directory, never holding a file in memory. */
export class AttachmentDownloader {
  private readonly lookup;
  private counter = 0;

  constructor(
    private readonly dir: string,
    private readonly options: DownloadOptions,
  ) {
    this.lookup = createSafeLookup(options.resolver);
  }

  /** `budget`: bytes the bundle may still take; the smaller of it and max_file_bytes applies. */
  async download(link: string, budget = Infinity): Promise<Downloaded> {
    const max = Math.min(this.options.maxFileBytes, budget);
    let url: URL;
    try {
      url = checkUrl(link, this.options.allowedHosts);
    } catch (err) {
      if (err instanceof LinkRefused) throw new DownloadRejected(err.url, err.reason);
      throw err;
    }
    const deadline = Date.now() + this.options.timeoutMs;
    let withToken = false;
    for (let hop = 0; ; hop++) {
      // The token goes to GitHub's own hosts only, never to where they redirect (object storage, or worse).
      const res = await this.request(url, withToken && TOKEN_HOSTS.includes(url.hostname), deadline);
      if (res.status >= 300 && res.status < 400 && res.location) {
        res.stream.resume();
        if (hop >= this.options.maxRedirects) throw new DownloadRejected(link, `more than ${this.options.maxRedirects} redirects`);
        try {
          // Re-checked on every hop: an allowed host may not send us somewhere else.
          url = checkUrl(new URL(res.location, url).href, this.options.allowedHosts);
        } catch (err) {
          if (err instanceof LinkRefused) throw new DownloadRejected(link, `redirected to ${err.url}: ${err.reason}`);
          throw err;
        }
        continue;
      }
      if ((res.status === 401 || res.status === 403 || res.status === 404) && !withToken && this.options.token && TOKEN_HOSTS.includes(url.hostname)) {
        // Private repositories' attachments need the installation's token.
        res.stream.resume();
        withToken = true;
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        res.stream.resume();
        throw new DownloadFailed(link, `HTTP ${res.status}`);
      }
      if (res.status < 200 || res.status >= 300) {
        res.stream.resume();
        throw new DownloadRejected(link, `the server answered HTTP ${res.status}`);
      }
      if (res.length !== null && res.length > max) {
        res.stream.destroy();
        throw new DownloadRejected(link, `${res.length} bytes, more than the limit of ${max} (${limitName(max, this.options.maxFileBytes)})`);
      }
      return this.save(link, url, res, deadline, max);
    }
  }

  private async request(url: URL, withToken: boolean, deadline: number): Promise<Response> {
    const headers: Record<string, string> = { "user-agent": "casefile-bot", accept: "*/*" };
    if (withToken && this.options.token) headers.authorization = `token ${await this.options.token()}`;
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = mod.request(url, { method: "GET", headers, lookup: this.lookup as never, agent: false }, (res) => {
        clearTimeout(timer);
        const len = Number(res.headers["content-length"]);
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, length: Number.isFinite(len) && res.headers["content-length"] !== undefined ? len : null, stream: res });
      });
      const timer = setTimeout(() => req.destroy(new DownloadRejected(url.href, `no answer within ${this.options.timeoutMs / 1000}s`)), Math.max(0, deadline - Date.now()));
      req.setTimeout(this.options.idleTimeoutMs, () => req.destroy(new DownloadRejected(url.href, `no data for ${this.options.idleTimeoutMs / 1000}s`)));
      req.on("error", (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(classifyNetworkError(url.href, err));
      });
      req.end();
    });
  }

  private save(link: string, url: URL, res: Response, deadline: number, max: number): Promise<Downloaded> {
    const path = join(this.dir, `${++this.counter}-${safeName(url)}`);
    return new Promise<Downloaded>((resolve, reject) => {
      const out = createWriteStream(path);
      let bytes = 0;
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        clearTimeout(timer);
        res.stream.destroy();
        out.destroy();
        rm(path, { force: true }).finally(() => reject(err));
      };
      const timer = setTimeout(() => fail(new DownloadRejected(link, `not finished within ${this.options.timeoutMs / 1000}s`)), Math.max(0, deadline - Date.now()));
      res.stream.setTimeout?.(this.options.idleTimeoutMs, () => fail(new DownloadRejected(link, `no data for ${this.options.idleTimeoutMs / 1000}s`)));
      res.stream.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        this.options.onBytes?.(chunk.length);
        if (bytes > max) fail(new DownloadRejected(link, `more than the limit of ${max} bytes (${limitName(max, this.options.maxFileBytes)})`));
      });
      res.stream.on("error", (err) => fail(classifyNetworkError(link, err)));
      res.stream.on("aborted", () => fail(new DownloadFailed(link, "the connection was cut")));
      res.stream.pipe(out);
      out.on("error", (err) => fail(err));
      out.on("finish", () => {
        if (failed) return;
        clearTimeout(timer);
        resolve({ url: link, path, bytes });
      });
    });
  }
}

function limitName(max: number, fileMax: number): string {
  return max < fileMax ? "what is left of artifacts.max_bundle_bytes" : "artifacts.max_file_bytes";
}

function classifyNetworkError(url: string, err: NodeJS.ErrnoException): Error {
  if (err instanceof DownloadRejected || err instanceof DownloadFailed) return err;
  if (err instanceof LinkRefused) return new DownloadRejected(url, err.reason);
  if (err.code === "ENOTFOUND") return new DownloadRejected(url, "the host name does not resolve");
  if (err.code === "ERR_TLS_CERT_ALTNAME_INVALID" || err.code?.startsWith("CERT_") || err.code === "DEPTH_ZERO_SELF_SIGNED_CERT") {
    return new DownloadRejected(url, `TLS certificate not valid (${err.code})`);
  }
  return new DownloadFailed(url, err.message || String(err.code));
}

/** A name for the temp file: the URL's last segment, reduced to safe characters (never a path). */
function safeName(url: URL): string {
  let path = url.pathname.replace(/\/+$/, "");
  try {
    path = decodeURIComponent(path);
  } catch {
    // Malformed escapes: keep the raw path.
  }
  const last = basename(path) || "download";
  return last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "").slice(-100) || "download";
}
