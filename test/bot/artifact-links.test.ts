import { describe, expect, it } from "vitest";
import { artifactSetKey, classifyLink, extractArtifactRefs, hostMatches } from "../../src/bot/artifact-links.js";

describe("artifact links", () => {
  it("finds GitHub attachments, legacy attachments, raw files and gists", () => {
    const body = [
      "New style: https://github.com/user-attachments/files/17234/console.log.",
      "Legacy: [trace](https://github.com/acme/kernel/files/987654/trace.txt.gz)",
      "Raw: https://raw.githubusercontent.com/acme/kernel/main/logs/oops.txt",
      "Blob page: https://github.com/acme/kernel/blob/main/logs/System.map",
      "Gist: https://gist.github.com/alice/0123abcd",
      "Not an artifact: https://github.com/acme/kernel/issues/3 and https://lore.kernel.org/all/1234/",
      "An image: https://github.com/user-attachments/assets/abc-def",
    ].join("\n");
    const links = extractArtifactRefs(body, "issue body").flatMap((r) => (r.kind === "link" ? [[r.url, r.origin]] : []));
    expect(links).toEqual([
      ["https://github.com/user-attachments/files/17234/console.log", "github-attachment"],
      ["https://github.com/acme/kernel/files/987654/trace.txt.gz", "github-attachment"],
      ["https://raw.githubusercontent.com/acme/kernel/main/logs/oops.txt", "raw-file"],
      ["https://github.com/acme/kernel/raw/main/logs/System.map", "raw-file"],
      ["https://gist.github.com/alice/0123abcd/raw", "gist"],
    ]);
  });

  it("takes allowed hosts from the config, and file-like links elsewhere (to be refused with a reason)", () => {
    expect(classifyLink("https://ci.example.com/job/1", ["*.example.com"])).toEqual({ url: "https://ci.example.com/job/1", origin: "allowed-host" });
    expect(classifyLink("https://ci.example.com/job/1", [])).toBeNull();
    expect(classifyLink("http://169.254.169.254/latest/vmcore", [])).toMatchObject({ origin: "file-link" });
    expect(classifyLink("not a url", [])).toBeNull();
  });

  it("turns fenced code blocks into artifacts, and ignores links inside them", () => {
    const body = "log:\n```\n[ 1.0] BUG: KASAN: use-after-free in f+0x1/0x2\nhttps://github.com/user-attachments/files/1/x.log\n```\n";
    const refs = extractArtifactRefs(body, "comment 5");
    expect(refs).toHaveLength(1);
    expect(refs[0]).toMatchObject({ kind: "code-block", source: "comment 5", index: 1 });
  });

  it("gives the same key to the same artifact set in any order, a new key when one changes", () => {
    const a = extractArtifactRefs("https://github.com/user-attachments/files/1/a.log https://github.com/user-attachments/files/2/b.log", "x");
    const b = extractArtifactRefs("https://github.com/user-attachments/files/2/b.log\nhttps://github.com/user-attachments/files/1/a.log\nsome prose", "y");
    const c = extractArtifactRefs("https://github.com/user-attachments/files/3/c.log", "x");
    expect(artifactSetKey(a)).toBe(artifactSetKey(b));
    expect(artifactSetKey(a)).not.toBe(artifactSetKey(c));
  });

  it("matches host wildcards only on subdomains", () => {
    expect(hostMatches("a.example.com", ["*.example.com"])).toBe(true);
    expect(hostMatches("evilexample.com", ["*.example.com"])).toBe(false);
    expect(hostMatches("example.com.", ["example.com"])).toBe(true);
  });
});
