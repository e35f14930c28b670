// Several labels per row: the separators offered, and the one the file's label cells suggest.

/** The separators a label cell may use between its labels, each with its catalogue key. */
export const LABEL_SEPARATORS: { value: string; name: string }[] = [
  { value: "|", name: "pipe" },
  { value: ";", name: "semicolon" },
  { value: ",", name: "comma" },
  { value: "/", name: "slash" },
];

/** Separators common enough between labels to be proposed (a "/" is often part of a label). */
const PROPOSED = ["|", ";"];

/** A fifth of the label cells holding the same separator makes it worth proposing. */
const SHARE_FOR_PROPOSAL = 0.2;

/**
 * The separator that many of these label cells hold (the file's column delimiter excluded), or
 * null: the data step proposes reading such cells as several labels.
 */
export function proposedSeparator(cells: string[], delimiter: string): string | null {
  const filled = cells.map((c) => c.trim()).filter((c) => c !== "");
  if (filled.length < 2) return null;
  let best: { separator: string; share: number } | null = null;
  for (const separator of PROPOSED) {
    if (separator === delimiter) continue;
    const share = filled.filter((c) => c.includes(separator)).length / filled.length;
    if (share >= SHARE_FOR_PROPOSAL && (!best || share > best.share)) best = { separator, share };
  }
  return best?.separator ?? null;
}

/** The label cells of a preview's rows, in the label column. */
export function labelCells(headers: string[], rows: string[][], labelColumn: string): string[] {
  const i = headers.indexOf(labelColumn);
  return i < 0 ? [] : rows.map((r) => r[i] ?? "");
}

/** What a 0/1 label cell may hold, as the engine reads it (empty: the row lacks the label). */
const ZERO_ONE = new Set(["", "0", "1", "0.0", "1.0", "true", "false", "yes", "no"]);

/**
 * The columns (the text column excepted) whose preview cells are all 0/1 values, with at least
 * one filled: those a file with one 0/1 column per label uses for its labels.
 */
export function zeroOneColumns(headers: string[], rows: string[][], textColumn: string): string[] {
  return headers.filter((h, i) => {
    if (h === textColumn) return false;
    const cells = rows.map((r) => (r[i] ?? "").trim().toLowerCase());
    return cells.some((c) => c !== "") && cells.every((c) => ZERO_ONE.has(c));
  });
}
