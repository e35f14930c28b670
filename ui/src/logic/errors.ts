import type { ErrorReport } from "../bindings/ErrorReport";

/** Whatever a command threw, as the one error shape the page shows. */
export function toErrorReport(error: unknown): ErrorReport {
  if (error && typeof error === "object" && "message" in error) {
    const e = error as Partial<ErrorReport> & { message: unknown };
    return {
      kind: typeof e.kind === "string" ? e.kind : "internal",
      message: String(e.message),
      hint: typeof e.hint === "string" ? e.hint : null,
      // What the page needs to say it in its language (see engineText.ts).
      ...(typeof e.hint_id === "string" ? { hint_id: e.hint_id } : {}),
      ...(typeof e.id === "string" ? { id: e.id } : {}),
      ...(e.params && typeof e.params === "object" ? { params: e.params } : {}),
    };
  }
  return { kind: "internal", message: String(error), hint: null };
}
