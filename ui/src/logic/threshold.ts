// A multi-label model's decision threshold, chosen on its validation rows from the engine's
// curve (the metrics at 0.05, 0.10, … 0.95).
import type { ThresholdPoint } from "../bindings/ThresholdPoint";

/** The curve's point with the best micro F1 (the lower threshold of equals), or null. */
export function bestThreshold(curve: ThresholdPoint[]): ThresholdPoint | null {
  return curve.reduce<ThresholdPoint | null>((best, p) => (best === null || p.micro_f1 > best.micro_f1 ? p : best), null);
}

/** The curve's point at `threshold` (the nearest), or null on an empty curve. */
export function pointAt(curve: ThresholdPoint[], threshold: number): ThresholdPoint | null {
  return curve.reduce<ThresholdPoint | null>(
    (near, p) => (near === null || Math.abs(p.threshold - threshold) < Math.abs(near.threshold - threshold) ? p : near),
    null,
  );
}
