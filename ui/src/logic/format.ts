// Numbers, durations and dates in the page's language: "3,558 rows" / "3 558 lignes",
// "5.2%" / "5,2 %".
import { i18n } from "../i18n";

const locale = () => i18n.language || "en";

/** "1 h 02 min", "3 min 05 s", "12 s" (the same units in English and French). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value == null || !Number.isFinite(value)) return "–";
  return new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function formatCount(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}

/** A number with a fixed count of decimals ("12.5" / "12,5"). */
export function formatDecimal(value: number, digits: number): string {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A number rounded to `digits` significant digits ("0.5123" / "0,5123"). */
export function formatSignificant(value: number, digits: number): string {
  return new Intl.NumberFormat(locale(), { maximumSignificantDigits: digits }).format(value);
}

export function formatBytes(bytes: number): string {
  const unit = (value: number, digits: number, name: string) => `${formatDecimal(value, digits)} ${i18n.t(`units.${name}`)}`;
  if (bytes < 1024 * 1024) return unit(bytes / 1024, 0, "kB");
  if (bytes < 1024 * 1024 * 1024) return unit(bytes / 1024 / 1024, 1, "MB");
  return unit(bytes / 1024 / 1024 / 1024, 2, "GB");
}

/** A moment given as Unix seconds, as a date and time. */
export function formatDateTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleString(locale());
}
