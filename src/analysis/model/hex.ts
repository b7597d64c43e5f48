/** Lowercase hex with 0x, as the contract writes addresses and frame numbers. */
export function hex(value: bigint | number): string {
  return "0x" + value.toString(16);
}

/** Parses "0x1f", "1f" (hex) or a bigint-safe decimal when `radix` is 10. Returns null on garbage. */
export function parseHex(text: string): bigint | null {
  const t = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (t.length === 0 || t.length > 16 || !/^[0-9a-fA-F]+$/.test(t)) return null;
  return BigInt("0x" + t);
}
