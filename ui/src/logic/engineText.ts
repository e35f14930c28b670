// The engine's words in the page's language: a remark or an error carries a stable id and its
// values beside its English text; the catalogue entry engine.<id> says it here, with the
// numbers written the language's way. Without an entry (a report written before ids, or an
// error the engine words itself) the English text stays.
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Message } from "../bindings/Message";
import { i18n } from "../i18n";
import { formatCount } from "./format";

function say(id: string | null | undefined, params: Record<string, unknown>, text: string): string {
  if (!id) return text;
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    values[name] = typeof value === "number" && Number.isInteger(value) ? formatCount(value) : value;
  }
  // `count` (a number) chooses the plural; `n` is the same number as the language writes it.
  const count = params.count;
  const options = typeof count === "number" ? { ...values, count, n: formatCount(count) } : values;
  const key = `engine.${id}`;
  return i18n.exists(key, options) ? i18n.t(key, options) : text;
}

/** A remark of the engine (a data warning, a note during training). */
export function engineText(message: Message): string {
  return say(message.id, message.params, message.text);
}

/** What went wrong, in the page's language where the catalogue has the error. */
export function errorMessage(report: ErrorReport): string {
  return say(report.id, report.params ?? {}, report.message);
}

/** What to do next, in the page's language where it is the engine's hint for its kind. */
export function errorHint(report: ErrorReport): string | null {
  return report.hint == null ? null : say(report.hint_id, {}, report.hint);
}
