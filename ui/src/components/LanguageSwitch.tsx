import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { appApi } from "../api/app";
import { LANGUAGES, setLanguage, type Language } from "../i18n";

/** The page's language, switchable; the shell is told too (its native dialogs' titles). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  useEffect(() => {
    document.documentElement.lang = language;
    appApi.setLanguage(language).catch(() => undefined);
  }, [language]);
  return (
    <select className="language" aria-label={t("app.language")} value={language} onChange={(e) => setLanguage(e.target.value as Language)} data-testid="language">
      {LANGUAGES.map((l) => (
        <option key={l} value={l}>{t(`app.languages.${l}`)}</option>
      ))}
    </select>
  );
}
