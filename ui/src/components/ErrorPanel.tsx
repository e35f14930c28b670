import { useTranslation } from "react-i18next";
import type { ErrorReport } from "../bindings/ErrorReport";

/** An engine error in plain words, with what to do next. */
export function ErrorPanel(props: { error: ErrorReport | null; onDismiss?: () => void }) {
  const { t } = useTranslation();
  if (!props.error) return null;
  return (
    <div className="error-panel" role="alert" data-testid="error">
      <div>
        <strong>{props.error.message}</strong>
        {props.error.hint && <p>{props.error.hint}</p>}
      </div>
      {props.onDismiss && (
        <button className="ghost" onClick={props.onDismiss} aria-label={t("common.dismiss")}>
          ×
        </button>
      )}
    </div>
  );
}
