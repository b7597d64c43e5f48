import { describe, expect, it } from "vitest";
import { checkUrl, createSafeLookup, forbiddenAddressReason, LinkRefused, type Resolver } from "../../src/workers/address-policy.js";

describe("forbiddenAddressReason", () => {
  it.each([
    ["127.0.0.1", /loopback/],
    ["10.1.2.3", /private/],
    ["172.20.0.1", /private/],
    ["192.168.1.1", /private/],
    ["169.254.169.254", /link-local/],
    ["100.64.0.1", /shared/],
    ["0.0.0.0", /unspecified/],
    ["::1", /loopback/],
    ["fe80::1", /link-local/],
    ["fd00:ec2::254", /private/],
    ["::ffff:127.0.0.1", /loopback/],
    ["[::1]", /loopback/],
  ])("refuses %s", (ip, reason) => {
    expect(forbiddenAddressReason(ip)).toMatch(reason);
  });

  it.each(["140.82.112.3", "185.199.108.133", "2606:50c0:8000::154"])("allows the public address %s", (ip) => {
    expect(forbiddenAddressReason(ip)).toBeNull();
  });
});

describe("checkUrl", () => {
  const refused = (url: string, allowed: string[] = []) => {
    try {
      checkUrl(url, allowed);
    } catch (err) {
      expect(err).toBeInstanceOf(LinkRefused);
      return (err as LinkRefused).reason;
    }
    return null;
  };

  it("allows GitHub's attachment hosts and their object storage", () => {
    expect(refused("https://github.com/user-attachments/files/1/a.log")).toBeNull();
    expect(refused("https://objects.githubusercontent.com/github-production-repository-file-5c1aeb/1/2?X-Amz=1")).toBeNull();
    expect(refused("https://github-production-user-asset-6210df.s3.amazonaws.com/1/abc")).toBeNull();
  });

  it("refuses other hosts unless the config allows them", () => {
    expect(refused("https://evil.example.net/x.log")).toMatch(/not an allowed host/);
    expect(refused("https://logs.example.net/x.log", ["*.example.net"])).toBeNull();
    expect(refused("https://attacker-bucket.s3.amazonaws.com/x")).toMatch(/not an allowed host/);
  });

  it("refuses credentials, odd schemes, IP literals of internal networks and local names, even on allowed hosts", () => {
    expect(refused("https://user:pw@github.com/user-attachments/files/1/a.log")).toMatch(/credentials/);
    expect(refused("file:///etc/passwd")).toMatch(/scheme/);
    expect(refused("http://169.254.169.254/latest/meta-data/", ["169.254.169.254"])).toMatch(/link-local/);
    expect(refused("http://[::1]:8080/x.log", ["::1"])).toMatch(/loopback/);
    expect(refused("http://localhost/x.log", ["localhost"])).toMatch(/local host name/);
  });
});

describe("createSafeLookup", () => {
  const resolver =
    (map: Record<string, string[]>): Resolver =>
    (host, _opts, cb) =>
      cb(null, (map[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));

  it("fails the connection when a name resolves to a private address", async () => {
    const lookup = createSafeLookup(resolver({ "sneaky.example.com": ["93.184.216.34", "10.0.0.5"] }));
    const err = await new Promise<Error | null>((resolve) => lookup("sneaky.example.com", {}, (e) => resolve(e)));
    expect(err).toBeInstanceOf(LinkRefused);
    expect(err?.message).toMatch(/resolves to 10\.0\.0\.5 is a private address/);
  });

  it("passes public addresses through, in the form the caller asked for", async () => {
    const lookup = createSafeLookup(resolver({ "ok.example.com": ["93.184.216.34"] }));
    const one = await new Promise<unknown[]>((resolve) => lookup("ok.example.com", { all: false }, (e, a, f) => resolve([e, a, f])));
    expect(one).toEqual([null, "93.184.216.34", 4]);
    const all = await new Promise<unknown>((resolve) => lookup("ok.example.com", { all: true }, (_e, a) => resolve(a)));
    expect(all).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });
});
