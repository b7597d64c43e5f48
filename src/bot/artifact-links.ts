import { createHash } from "node:crypto";
import { scanMarkdown } from "./markdown-scan.js";

/**
 * What in an issue body or comment could be part of the crash bundle: links to files and
 * fenced code blocks. Links are found in the prose only (never inside code blocks, whose
 * text is an artifact of its own, nor in quotes, which repeat earlier comments).
 */
export type ArtifactRef =
  | { kind: "link"; url: string; origin: LinkOrigin }
  | { kind: "code-block"; source: string; index: number; sha256: string; text: string };

/** Why a link was taken as an artifact: it decides the download policy later. */
export type LinkOrigin = "github-attachment" | "raw-file" | "gist" | "allowed-host" | "file-link";

/** Scanned with a plain character class: linear time on any input. */
const URL_PATTERN = /https?:\/\/[^\s<>()[\]"'`]+/gi;
const TRAILING = /[.,;:!?*_~]+$/;
/** Paths that look like a file worth downloading, on hosts nobody allowed (they are reported as refused). */
const FILE_LIKE = /(?:\.(?:log|txt|gz|tgz|xz|zst|bz2|zip|tar|json|jsonl|dat|bin|dump|core|map|trace|out)|\/vmcore[^/]*|\/System\.map[^/]*|\/kallsyms)$/i;

export interface LinkOptions {
  /** Extra hosts the repository allows (config `artifacts.allowed_hosts`), `*.example.com` wildcards allowed. */
  allowedHosts?: readonly string[];
}

export function extractArtifactRefs(markdown: string, source: string, options: LinkOptions = {}): ArtifactRef[] {
  const scanned = scanMarkdown(markdown);
  const refs: ArtifactRef[] = [];
  const seen = new Set<string>();
  for (const line of scanned.prose) {
    for (const match of line.matchAll(URL_PATTERN)) {
      const raw = match[0].replace(TRAILING, "");
      const classified = classifyLink(raw, options.allowedHosts ?? []);
      if (!classified || seen.has(classified.url)) continue;
      seen.add(classified.url);
      refs.push({ kind: "link", ...classified });
    }
  }
  for (const block of scanned.codeBlocks) {
    if (block.text.trim() === "") continue;
    refs.push({
      kind: "code-block",
      source,
      index: block.index,
      sha256: createHash("sha256").update(block.text).digest("hex"),
      text: block.text,
    });
  }
  return refs;
}

/** Returns the URL to fetch and why, or null for a link that is not an artifact. */
export function classifyLink(raw: string, allowedHosts: readonly string[]): { url: string; origin: LinkOrigin } | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (host === "github.com") {
    if (/^\/user-attachments\/files\/\d+\/[^/]+$/.test(path)) return { url: url.href, origin: "github-attachment" };
    if (/^\/[^/]+\/[^/]+\/files\/\d+\/[^/]+$/.test(path)) return { url: url.href, origin: "github-attachment" };
    // A file shown on github.com: fetch its raw bytes instead of the HTML page.
    const blob = /^\/([^/]+)\/([^/]+)\/(?:blob|raw)\/(.+)$/.exec(path);
    if (blob) return { url: `https://github.com/${blob[1]}/${blob[2]}/raw/${blob[3]}`, origin: "raw-file" };
    return null;
  }
  if (host === "raw.githubusercontent.com") return { url: url.href, origin: "raw-file" };
  if (host === "gist.githubusercontent.com") return { url: url.href, origin: "gist" };
  if (host === "gist.github.com") {
    const gist = /^\/([^/]+)\/([0-9a-f]+)(\/raw(?:\/.*)?)?\/?$/i.exec(path);
    if (!gist) return null;
    return { url: `https://gist.github.com/${gist[1]}/${gist[2]}${gist[3] ?? "/raw"}`, origin: "gist" };
  }
  if (hostMatches(host, allowedHosts)) return { url: url.href, origin: "allowed-host" };
  if (FILE_LIKE.test(path)) return { url: url.href, origin: "file-link" };
  return null;
}

/** `example.com` matches itself; `*.example.com` matches its subdomains. */
export function hostMatches(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  for (const p of patterns) {
    const pattern = p.toLowerCase().trim();
    if (pattern.startsWith("*.")) {
      if (h.endsWith(pattern.slice(1))) return true;
    } else if (h === pattern) {
      return true;
    }
  }
  return false;
}

/** A stable key of an artifact set: same links and same code-block contents give the same key. */
export function artifactSetKey(refs: readonly ArtifactRef[]): string {
  const parts = refs.map((r) => (r.kind === "link" ? `L ${r.url}` : `C ${r.sha256}`)).sort();
  return createHash("sha256").update([...new Set(parts)].join("\n")).digest("hex");
}
