import { describe, expect, it } from "vitest";
import { labelCells, proposedSeparator } from "./multiLabel";

describe("the separator proposed for several labels per row", () => {
  it("is proposed when a fifth of the label cells hold it", () => {
    const cells = ["10", "10|62", "47", "01", "62"];
    expect(proposedSeparator(cells, ",")).toBe("|");
    expect(proposedSeparator(["10", "47", "01", "62", "10|62", "20", "21", "22", "23", "24"], ",")).toBeNull();
  });

  it("is the commonest of | and ;, never the file's own delimiter nor a slash", () => {
    expect(proposedSeparator(["a;b", "a;c", "b|c", "a"], ",")).toBe(";");
    expect(proposedSeparator(["a;b", "a;c", "b", "a"], ";")).toBeNull();
    expect(proposedSeparator(["N/A", "a/b", "c/d"], ",")).toBeNull();
  });

  it("needs two filled cells", () => {
    expect(proposedSeparator(["a|b"], ",")).toBeNull();
    expect(proposedSeparator(["a|b", " ", ""], ",")).toBeNull();
  });

  it("reads the label column of the preview", () => {
    expect(labelCells(["text", "label"], [["x", "a|b"], ["y"]], "label")).toEqual(["a|b", ""]);
    expect(labelCells(["text"], [["x"]], "label")).toEqual([]);
  });
});
