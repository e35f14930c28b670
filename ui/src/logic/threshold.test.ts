import { describe, expect, it } from "vitest";
import { bestThreshold, pointAt } from "./threshold";

const point = (threshold: number, micro_f1: number) => ({ threshold, micro_f1, macro_f1: micro_f1 / 2, subset_accuracy: 0.1, hamming_loss: 0.2 });

describe("choosing a decision threshold on the validation rows", () => {
  it("proposes the best micro F1, the lower threshold of equals", () => {
    const curve = [point(0.3, 0.5), point(0.35, 0.62), point(0.4, 0.62), point(0.5, 0.55)];
    expect(bestThreshold(curve)?.threshold).toBe(0.35);
    expect(bestThreshold([])).toBeNull();
  });

  it("reads the curve at the threshold in use", () => {
    const curve = [point(0.45, 0.5), point(0.5, 0.55), point(0.55, 0.52)];
    expect(pointAt(curve, 0.5)?.micro_f1).toBe(0.55);
    expect(pointAt(curve, 0.52)?.threshold).toBe(0.5);
    expect(pointAt([], 0.5)).toBeNull();
  });
});
