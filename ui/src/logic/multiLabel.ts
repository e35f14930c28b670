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
