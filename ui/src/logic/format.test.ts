import { afterEach, describe, expect, it } from "vitest";
import { i18n } from "../i18n";
import { formatBytes, formatCount, formatDateTime, formatDuration, formatPercent } from "./format";

afterEach(() => void i18n.changeLanguage("en"));
import { toErrorReport } from "./errors";

describe("formatting", () => {
  it("writes durations and shares for people", () => {
    expect(formatDuration(12.4)).toBe("12 s");
    expect(formatDuration(185)).toBe("3 min 05 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
    expect(formatDuration(Number.NaN)).toBe("–");
    expect(formatPercent(0.2581)).toBe("25.8%");
    expect(formatPercent(null)).toBe("–");
  });

  it("writes numbers as each language does", () => {
    expect(formatCount(3558)).toBe("3,558");
    expect(formatBytes(5.5 * 1024 * 1024)).toBe("5.5 MB");
    void i18n.changeLanguage("fr");
    // French groups thousands with a narrow no-break space and puts one before "%".
    expect(formatCount(3558)).toBe("3\u202f558");
    expect(formatPercent(0.052)).toBe("5,2\u00a0%");
    expect(formatBytes(5.5 * 1024 * 1024)).toBe("5,5 Mo");
    expect(formatDateTime(0)).toMatch(/^01\/01\/1970/);
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
