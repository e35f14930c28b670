import { describe, expect, it } from "vitest";
import type { Explanation } from "../bindings/Explanation";
import { shareColour, wordShares } from "./explanation";

const explanation = (contributions: (number | null)[]): Explanation => ({
  label: "01",
  method: "integrated_gradients",
  steps: 32,
  words: contributions.map((c, i) => ({ word: `w${i}`, space_before: i ? " " : "", contribution: c })),
  score: 2,
  baseline_score: 0.5,
  completeness_gap: 0.001,
  cut_words: contributions.filter((c) => c == null).length,
  seconds: 0.2,
});

describe("explanation colours", () => {
  it("scales each word by the largest push, either way, and leaves unread words out", () => {
    expect(wordShares(explanation([0.5, -1, 0.25, null]))).toEqual([0.5, -1, 0.25, null]);
    expect(wordShares(explanation([0, 0]))).toEqual([0, 0]);
  });

  it("colours towards the class blue and away from it orange, stronger for a larger push", () => {
    expect(shareColour(1)).toBe("rgba(37, 99, 235, 0.70)");
    expect(shareColour(-0.5)).toBe("rgba(234, 88, 12, 0.43)");
    expect(shareColour(0.01)).toBeUndefined();
    expect(shareColour(null)).toBeUndefined();
  });
});
