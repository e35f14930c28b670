// The engine's words in the page's language: a remark or an error carries a stable id and its
// values beside its English text; the catalogue entry engine.<id> says it here, with the
// numbers written the language's way (whole numbers grouped, decimals with the language's mark). A value may itself be such words (or a list of them),
// said the same way. Without an entry (a report written before ids, or the CLI's own words)
// the English text stays.
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Message } from "../bindings/Message";
import { i18n } from "../i18n";
import { formatCount, formatSignificant } from "./format";

function isMessage(value: unknown): value is Message {
  return typeof value === "object" && value !== null && "text" in value && "id" in value;
}

/** The catalogue's words for `id` with these values, or null when it has none. */
function translated(id: string | null | undefined, params: Record<string, unknown>): string | null {
  if (!id) return null;
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "number") values[name] = Number.isInteger(value) ? formatCount(value) : formatSignificant(value, 6);
    else if (isMessage(value)) values[name] = engineText(value);
    else if (Array.isArray(value) && value.every(isMessage)) values[name] = value.map(engineText).join(i18n.language.startsWith("fr") ? "\u202f; " : "; ");
    else values[name] = value;
  }
  // `count` (a number) chooses the plural; `n` is the same number as the language writes it.
  const count = params.count;
  const options = typeof count === "number" ? { ...values, count, n: formatCount(count) } : values;
  const key = `engine.${id}`;
  return i18n.exists(key, options) ? i18n.t(key, options) : null;
}

/** A remark of the engine (a data warning, a note during training, a status). */
export function engineText(message: Message): string {
  return translated(message.id, message.params) ?? message.text;
}

/** What went wrong, in the page's language where the catalogue has the error; a problem in a
 *  data file is said after the file (and line) it is in. */
export function errorMessage(report: ErrorReport): string {
  const params = report.params ?? {};
  const said = translated(report.id, params);
  if (said === null) return report.message;
  if (report.kind !== "data" || typeof params.path !== "string") return said;
  const line = typeof params.line === "number" ? formatCount(params.line) : null;
  return i18n.t(line === null ? "engine.where.file" : "engine.where.line", { path: params.path, line }) + said;
}

/** What to do next, in the page's language where the catalogue has the hint. */
export function errorHint(report: ErrorReport): string | null {
  if (report.hint == null) return null;
  return translated(report.hint_id, report.params ?? {}) ?? report.hint;
}
