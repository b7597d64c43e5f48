/** Why an archive entry name is refused (absolute, `..`, drive letter), or null when it is safe to show. */
export function refusedEntryName(name: string): string | null {
  if (name.length === 0) return "it has an empty name";
  if (name.includes("\0")) return "its name contains a NUL byte";
  const unified = name.replace(/\\/g, "/");
  if (unified.startsWith("/") || /^[a-zA-Z]:/.test(unified)) return "it has an absolute path";
  if (unified.split("/").includes("..")) return "its path climbs out of the archive with `..`";
  return null;
}

/** The display name of an archive entry: `outer:inner/path`, control characters made visible. */
export function entryDisplayName(container: string, entry: string): string {
  const clean = entry.replace(/^\.\/+/, "").replace(/[\x00-\x1f\x7f]/g, "?");
  return `${container}:${clean}`;
}
