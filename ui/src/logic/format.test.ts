import { describe, expect, it } from "vitest";
import { formatDuration, formatPercent } from "./format";
import { toErrorReport } from "./errors";

describe("formatting", () => {
  it("writes durations and shares for people", () => {
    expect(formatDuration(12.4)).toBe("12 s");
    expect(formatDuration(185)).toBe("3 min 05 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
    expect(formatDuration(Number.NaN)).toBe("–");
    expect(formatPercent(0.2581)).toBe("25.8 %");
    expect(formatPercent(null)).toBe("–");
  });

  it("turns whatever a command threw into the one error shape", () => {
    expect(toErrorReport({ kind: "data", message: "line 3: bad", hint: "Fix it." })).toEqual({
      kind: "data",
      message: "line 3: bad",
      hint: "Fix it.",
    });
    expect(toErrorReport("window closed")).toEqual({ kind: "internal", message: "window closed", hint: null });
  });
});
