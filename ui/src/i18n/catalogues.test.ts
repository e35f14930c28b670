// The catalogues are complete: both languages have every string the page asks for, with the
// same placeholders and markup, and nothing is left empty. A string added to the page without
// its translation fails here.
import { describe, expect, it } from "vitest";
import { STEPS } from "../components/StepHeader";
import { RECIPE_FIELDS } from "../logic/recipeFields";
import en from "./en.json";
import fr from "./fr.json";

type Catalogue = { [key: string]: string | Catalogue };

function flatten(catalogue: Catalogue, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else flatten(value, `${prefix}${key}.`).forEach((v, k) => out.set(k, v));
  }
  return out;
}

const catalogues = { en: flatten(en), fr: flatten(fr) };
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** The key is there as such or as plural forms (key_one, key_other). */
function has(language: keyof typeof catalogues, key: string): boolean {
  const c = catalogues[language];
  return c.has(key) || (c.has(`${key}_one`) && c.has(`${key}_other`));
}

/** The page's source files (tests and generated bindings excluded), as text. */
const SOURCES = import.meta.glob(["../**/*.{ts,tsx}", "!../**/*.test.{ts,tsx}", "!../bindings/**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

/** What t(…) / i18nKey asks for in the page's source. */
function keysInSource(): { literal: Set<string>; prefixes: Set<string> } {
  const literal = new Set<string>();
  const prefixes = new Set<string>();
  for (const text of Object.values(SOURCES)) {
    for (const m of text.matchAll(/\bt\(\s*"([\w.]+)"|i18nKey="([\w.]+)"|\? "([\w.]+\.[\w.]+)" : "([\w.]+\.[\w.]+)"/g)) {
      [m[1], m[2], m[3], m[4]].filter(Boolean).forEach((k) => literal.add(k));
    }
    for (const m of text.matchAll(/\bt\(`([\w.]+)\.\$\{/g)) prefixes.add(m[1]);
  }
  return { literal, prefixes };
}

describe("catalogues", () => {
  it("have the same strings in English and French, none empty", () => {
    expect([...catalogues.fr.keys()].sort()).toEqual([...catalogues.en.keys()].sort());
    for (const [language, c] of Object.entries(catalogues)) {
      for (const [key, value] of c) expect(value.trim(), `${language}:${key}`).not.toBe("");
    }
  });

  it("keep each string's placeholders and markup in the translation", () => {
    const parts = (s: string) => [...s.matchAll(/\{\{\w+\}\}|<\/?\w+>/g)].map((m) => m[0]).sort();
    for (const [key, english] of catalogues.en) {
      if (PLURAL.test(key) && !key.endsWith("_other")) continue; // "one" forms may drop {{count}}
      expect(parts(catalogues.fr.get(key)!), key).toEqual(parts(english));
    }
  });

  it("hold every string the page asks for", () => {
    const { literal, prefixes } = keysInSource();
    expect(Object.keys(SOURCES).length).toBeGreaterThan(30);
    expect(literal.size).toBeGreaterThan(150);
    for (const key of literal) {
      expect(has("en", key), `en:${key}`).toBe(true);
      expect(has("fr", key), `fr:${key}`).toBe(true);
    }
    for (const prefix of prefixes) {
      expect([...catalogues.en.keys()].some((k) => k.startsWith(`${prefix}.`)), prefix).toBe(true);
    }
  });

  it("name every field, choice, step, section, status and metric the page builds keys for", () => {
    const keys = [
      ...RECIPE_FIELDS.flatMap((f) => [`settings.fields.${f.key}.label`, `settings.fields.${f.key}.explanation`]),
      ...RECIPE_FIELDS.flatMap((f) => (f.kind.type === "choice" ? f.kind.options.map((o) => `settings.choices.${o}`) : [])),
      ...STEPS.map((s) => `steps.${s}`),
      ...["Train", "Classify", "Models"].map((s) => `app.section.${s}`),
      ...["starting", "downloading", "running", "finished", "failed", "cancelled"].map((s) => `training.status.${s}`),
      // The engine's metric ids (compare.rs) and the per-class table's columns.
      ...["accuracy", "macro_f1", "macro_precision", "macro_recall", "top2_accuracy", "loss"].map((m) => `metrics.${m}`),
      ...["label", "precision", "recall", "f1", "support"].map((c) => `result.columns.${c}`),
      ...["comma", "semicolon", "tab", "pipe"].map((d) => `data.delimiters.${d}`),
      ...["utf8", "windows1252", "utf16le", "utf16be"].map((e) => `data.encodings.${e}`),
      ...["en", "fr"].map((l) => `app.languages.${l}`),
      ...["kB", "MB", "GB"].map((u) => `units.${u}`),
    ];
    for (const key of keys) {
      expect(has("en", key), `en:${key}`).toBe(true);
      expect(has("fr", key), `fr:${key}`).toBe(true);
    }
  });
});
