/**
 * syzbot title hygiene: titles must group crashes, so everything that changes from run to run
 * (executor pids, addresses, line numbers, offsets, CPU and other numbers) is replaced by a
 * placeholder, and the title is cut to one tidy line.
 */
const REPLACEMENTS: ReadonlyArray<[RegExp, string]> = [
  [/syz-executor\.?[0-9]+(?:(?:\/|:)[0-9]+)?/g, "syz-executor"],
  [/syzkaller[0-9]+(?:(?:\/|:)[0-9]+)?/g, "syzkaller"],
  // Anything that looks like an address.
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, "$1ADDR"],
  [/([^a-zA-Z0-9])(?:[0-9]{1,3}\.){3}[0-9]{1,3}/g, "$1IP"],
  // file.c:123 -> file.c:LINE
  [/(\.\w+)(?::[0-9]+)+/g, "$1:LINE"],
  // func+0x1c/0x80 -> func
  [/([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, "$1"],
  [/CPU#[0-9]+/g, "CPU"],
];

const NUMBER = /(\W)(\d+)(\W|$)/g;
const LONG_NUMBER = /\d{7,}/g;

export const MAX_TITLE = 120;

/** Apply syzbot's replacements, then collapse whitespace, drop control characters and cut to MAX_TITLE. */
export function sanitizeTitle(title: string): string {
  let t = title.length > 4 * MAX_TITLE ? title.slice(0, 4 * MAX_TITLE) : title;
  for (const [re, to] of REPLACEMENTS) t = t.replace(re, to);
  // Numbers can overlap ("0,1,2"): repeat until nothing changes.
  for (let i = 0; i < 8; i++) {
    const next = t.replace(NUMBER, "$1NUM$3");
    if (next === t) break;
    t = next;
  }
  t = t.replace(LONG_NUMBER, "NUM");
  let out = "";
  let lastSpace = false;
  for (let i = 0; i < t.length && out.length < MAX_TITLE; i++) {
    let c = t[i];
    const code = t.charCodeAt(i);
    if (c === "\t" || c === "\n" || c === "\r") c = " ";
    else if (code < 0x20 || code === 0x7f) continue;
    if (c === " ") {
      if (lastSpace) continue;
      lastSpace = true;
    } else lastSpace = false;
    out += c;
  }
  return out.trim();
}
