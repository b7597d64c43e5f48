/**
 * Lines of one kind of trouble in a text dump (not dump lines, a disagreeing ASCII column):
 * how many and the first, so a damaged dump gives one warning rather than one a line.
 */
export class LineTally {
  count = 0;
  first = 0;

  add(lineNo: number): void {
    if (this.count++ === 0) this.first = lineNo;
  }

  /** `label: N line(s) are not FORMAT lines and were skipped[why] (first at line M)`, or null when there were none. */
  skippedWarning(label: string, format: string, why = ""): string | null {
    return this.count > 0 ? `${label}: ${this.count} line(s) are not ${format} lines and were skipped${why} (first at line ${this.first})` : null;
  }
}
