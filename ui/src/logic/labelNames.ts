// Label codes with the names the user gave them (a names file or column): "46 — Commerce de
// gros…". Tables show both; charts keep the short codes on their axes and the names in their
// tooltips.

/** Code → name, as the engine sends it (empty when the model has no names). */
export type LabelNames = { [code in string]?: string };

/** The code followed by its name, or the code alone when it has none. */
export function withName(code: string, names: LabelNames | null | undefined): string {
  const name = names?.[code];
  return name && name !== code ? `${code} — ${name}` : code;
}

/** Text made safe inside a chart tooltip, which ECharts reads as HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
