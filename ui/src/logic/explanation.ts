// How an explanation is drawn: each word's contribution as a share of the largest one, and a
// background from a blue–orange scale (told apart by colour-blind readers, and see-through so
// that it reads on light and dark themes alike).
import type { Explanation } from "../bindings/Explanation";

/** Each word's contribution divided by the largest in size, −1…1 (`null`: the word was not read). */
export function wordShares(e: Explanation): (number | null)[] {
  // A fold, not Math.max(...): a pasted text can hold more words than a call takes arguments.
  const largest = e.words.reduce((m, w) => Math.max(m, Math.abs(w.contribution ?? 0)), 0);
  return e.words.map((w) => (w.contribution == null ? null : largest > 0 ? w.contribution / largest : 0));
}

const TOWARDS = "37, 99, 235"; // blue
const AWAY = "234, 88, 12"; // orange

/** The background of a word: blue when it pushed towards the class, orange when away; the
 * stronger the push, the stronger the colour (none for a push under 5 % of the largest). */
export function shareColour(share: number | null): string | undefined {
  if (share == null || Math.abs(share) < 0.05) return undefined;
  const alpha = (0.15 + 0.55 * Math.abs(share)).toFixed(2);
  return `rgba(${share > 0 ? TOWARDS : AWAY}, ${alpha})`;
}
