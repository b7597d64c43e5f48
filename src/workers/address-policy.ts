import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { hostMatches } from "../bot/artifact-links.js";

/**
 * Where attachments may be downloaded from. A link is refused before any connection when its
 * scheme, credentials, host or resolved address is not allowed; the same check runs again on
 * every redirect, and the resolved IP is checked inside the socket's own DNS lookup so that a
 * name resolving to a private address cannot slip through between check and connect.
 */

/** GitHub's attachment, raw-file and gist hosts and the object storage they redirect to. */
export const GITHUB_HOSTS: readonly string[] = [
  "github.com",
  "raw.githubusercontent.com",
  "gist.githubusercontent.com",
  "gist.github.com",
  "objects.githubusercontent.com",
  "private-user-images.githubusercontent.com",
  "codeload.github.com",
  "github-cloud.s3.amazonaws.com",
];
const GITHUB_STORAGE = /^github-production-[a-z0-9-]+\.s3(?:\.[a-z0-9-]+)?\.amazonaws\.com$/;

/** Hosts where the installation token is accepted (private repositories' files). */
export const TOKEN_HOSTS: readonly string[] = ["github.com", "raw.githubusercontent.com"];

const blocked = new BlockList();
const RANGES: [string, number, "ipv4" | "ipv6", string][] = [
  ["0.0.0.0", 8, "ipv4", "an unspecified address"],
  ["10.0.0.0", 8, "ipv4", "a private address"],
  ["100.64.0.0", 10, "ipv4", "a shared (carrier-grade NAT) address"],
  ["127.0.0.0", 8, "ipv4", "a loopback address"],
  ["169.254.0.0", 16, "ipv4", "a link-local address (cloud metadata lives here)"],
  ["172.16.0.0", 12, "ipv4", "a private address"],
  ["192.0.0.0", 24, "ipv4", "a reserved address"],
  ["192.168.0.0", 16, "ipv4", "a private address"],
  ["198.18.0.0", 15, "ipv4", "a benchmarking address"],
  ["224.0.0.0", 4, "ipv4", "a multicast address"],
  ["240.0.0.0", 4, "ipv4", "a reserved address"],
  ["::", 128, "ipv6", "an unspecified address"],
  ["::1", 128, "ipv6", "a loopback address"],
  ["fc00::", 7, "ipv6", "a private address"],
  ["fe80::", 10, "ipv6", "a link-local address"],
  ["ff00::", 8, "ipv6", "a multicast address"],
  ["64:ff9b::", 96, "ipv6", "a NAT64 address"],
];
const reasons: { list: BlockList; reason: string }[] = RANGES.map(([net, prefix, type, reason]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  blocked.addSubnet(net, prefix, type);
  return { list, reason };
});

/** Why an IP address must not be connected to, or null when it may. */
export function forbiddenAddressReason(ip: string): string | null {
  let address = ip.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  if (!blocked.check(address, type)) return null;
  for (const { list, reason } of reasons) if (list.check(address, type)) return `${address} is ${reason}`;
  return `${address} is not a public address`;
}

export class LinkRefused extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${reason}`);
    this.name = "LinkRefused";
  }
}

/** Checks a URL before connecting (and again for each redirect target). Throws LinkRefused. */
export function checkUrl(raw: string, allowedHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LinkRefused(raw, "not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new LinkRefused(raw, `the ${url.protocol} scheme is not downloaded`);
  if (url.username || url.password) throw new LinkRefused(redactUrl(url), "links with credentials in them are refused");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(host)) {
    const reason = forbiddenAddressReason(host);
    if (reason) throw new LinkRefused(url.href, reason);
  }
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host === "metadata.google.internal") {
    throw new LinkRefused(url.href, `${host} is a local host name`);
  }
  if (!isAllowedHost(host, allowedHosts)) {
    throw new LinkRefused(url.href, `${host} is not an allowed host (GitHub's attachment hosts, or artifacts.allowed_hosts in .github/casefile.yml)`);
  }
  return url;
}

export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
  const h = host.toLowerCase();
  return hostMatches(h, GITHUB_HOSTS) || GITHUB_STORAGE.test(h) || hostMatches(h, allowedHosts);
}

/** The URL without user info, for messages. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Resolver = (host: string, options: { all: true }, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for http(s).request: resolves, and fails the connection when any resolved
 * address is forbidden (a name with one public and one private address is refused too).
 */
export function createSafeLookup(resolver: Resolver = dnsLookup as unknown as Resolver) {
  return (hostname: string, options: { all?: boolean; family?: number } | number, callback: LookupCallback): void => {
    resolver(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, "");
      for (const a of addresses) {
        const reason = forbiddenAddressReason(a.address);
        if (reason) {
          const refused = new LinkRefused(hostname, `${hostname} resolves to ${reason}`) as LinkRefused & NodeJS.ErrnoException;
          refused.code = "ECASEFILEREFUSED";
          return callback(refused, "");
        }
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
      const all = typeof options === "object" && options.all;
      if (all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
