// How uneven the classes are, and when to suggest balanced class weights. Counted on the
// training rows: the weights the engine computes come from them.
import type { ClassCount } from "../bindings/ClassCount";

/** From this ratio between the largest and the smallest class on, balanced weights are suggested. */
export const SUGGEST_BALANCED_FROM = 20;

export interface Imbalance {
  largest: ClassCount;
  smallest: ClassCount;
  /** Training rows of the largest class per training row of the smallest. */
  ratio: number;
  suggestBalanced: boolean;
}

/** The largest and smallest classes by training rows; null with fewer than two classes. */
export function imbalance(classes: ClassCount[]): Imbalance | null {
  const trained = classes.filter((c) => c.train > 0);
  if (trained.length < 2) return null;
  const largest = trained.reduce((a, b) => (b.train > a.train ? b : a));
  const smallest = trained.reduce((a, b) => (b.train < a.train ? b : a));
  const ratio = largest.train / smallest.train;
  return { largest, smallest, ratio, suggestBalanced: ratio >= SUGGEST_BALANCED_FROM };
}
