// The page's two languages. The catalogues (en.json, fr.json) are plain JSON a translator can
// edit; the shell reads the same files for the native dialogs' titles. The language follows the
// operating system at first start, then the user's choice (kept in this webview's storage).
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import fr from "./fr.json";

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "bert-studio.language";

function stored(): Language | null {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return LANGUAGES.find((l) => l === value) ?? null;
  } catch {
    return null;
  }
}

/** The first of `tags` ("fr-FR", "en") the app speaks, if any. */
function firstKnown(tags: readonly string[]): Language | null {
  for (const tag of tags) {
    const known = LANGUAGES.find((l) => l === tag.toLowerCase().split("-")[0]);
    if (known) return known;
  }
  return null;
}

/** The remembered choice, else the first of the system's languages the app speaks. */
export function initialLanguage(): Language {
  const system = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  return stored() ?? firstKnown(system) ?? "en";
}

/** The shell's reading of the system's languages (on Linux the webview reports "en-US" unless
 * the locale is installed): it decides at start unless the user has chosen. */
export function adoptSystemLanguages(tags: string[]) {
  const language = stored() ? null : firstKnown(tags);
  if (language && language !== i18n.language) void i18n.changeLanguage(language);
}

/** Keys asked for that no catalogue has (the tests fail on any). */
export const missingKeys = new Set<string>();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: initialLanguage(),
  // A string missing in French shows in English (the catalogue test fails on any such gap).
  fallbackLng: "en",
  interpolation: { escapeValue: false },
  returnEmptyString: false,
  saveMissing: true,
  missingKeyHandler: (languages, _namespace, key) => languages.forEach((l) => missingKeys.add(`${l}:${key}`)),
  initAsync: false,
});

/** Switches the page's language and remembers it. */
export function setLanguage(language: Language) {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, language);
  } catch {
    // Private storage unavailable: the choice lasts until the window closes.
  }
  void i18n.changeLanguage(language);
}

export { i18n };
