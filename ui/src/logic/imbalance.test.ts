import { describe, expect, it } from "vitest";
import { imbalance } from "./imbalance";

const count = (label: string, train: number) => ({ label, train, validation: 1 });

describe("class imbalance", () => {
  it("compares the largest and the smallest class by training rows", () => {
    const found = imbalance([count("A", 40), count("B", 220), count("C", 11), count("D", 0)]);
    expect(found?.largest.label).toBe("B");
    expect(found?.smallest.label).toBe("C");
    expect(found?.ratio).toBeCloseTo(20);
    expect(found?.suggestBalanced).toBe(true);
  });

  it("suggests balanced weights only from 20 times on", () => {
    expect(imbalance([count("A", 199), count("B", 10)])?.suggestBalanced).toBe(false);
    expect(imbalance([count("A", 200), count("B", 10)])?.suggestBalanced).toBe(true);
    expect(imbalance([count("A", 5)])).toBeNull();
  });
});
