import { useTranslation } from "react-i18next";
import type { ErrorReport } from "../bindings/ErrorReport";
import { errorHint, errorMessage } from "../logic/engineText";

/** An engine error in plain words, with what to do next. */
export function ErrorPanel(props: { error: ErrorReport | null; onDismiss?: () => void }) {
  const { t } = useTranslation();
  if (!props.error) return null;
  return (
    <div className="error-panel" role="alert" data-testid="error">
      <div>
        <strong>{errorMessage(props.error)}</strong>
        {errorHint(props.error) && <p>{errorHint(props.error)}</p>}
      </div>
      {props.onDismiss && (
        <button className="ghost" onClick={props.onDismiss} aria-label={t("common.dismiss")}>
          ×
        </button>
      )}
    </div>
  );
}
