import type { ErrorReport } from "../bindings/ErrorReport";

/** Whatever a command threw, as the one error shape the page shows. */
export function toErrorReport(error: unknown): ErrorReport {
  if (error && typeof error === "object" && "message" in error) {
    const e = error as Partial<ErrorReport> & { message: unknown };
    return {
      kind: typeof e.kind === "string" ? e.kind : "internal",
      message: String(e.message),
      hint: typeof e.hint === "string" ? e.hint : null,
    };
  }
  return { kind: "internal", message: String(error), hint: null };
}
