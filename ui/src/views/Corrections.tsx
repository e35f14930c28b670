import { useTranslation } from "react-i18next";
import type { CorrectedFile } from "../bindings/CorrectedFile";
import type { CorrectedRow } from "../bindings/CorrectedRow";
import type { Correction } from "../bindings/Correction";
import { formatCount } from "../logic/format";

const LEAVE_OUT = "\u0000leave-out";

/** A row's correction: a choice of the right label (or leaving the row out), or the correction
 * made, with Undo. `label` is the row's label now (the file's, or the predicted one). */
export function CorrectionCell(props: {
  line: number;
  label: string;
  corrected: CorrectedRow | undefined;
  labels: string[];
  named: (code: string) => string;
  onCorrect: (correction: Correction) => void;
  onUndo: () => void;
}) {
  const { t } = useTranslation();
  const c = props.corrected?.correction;
  if (c) {
    return (
      <td className="correction" data-testid={`corrected-${props.line}`}>
        {c.kind === "exclude" ? t("corrections.leftOut") : t("corrections.relabelled", { label: props.named(c.label) })}{" "}
        <button className="link" aria-label={t("corrections.undoLine", { line: props.line })} onClick={props.onUndo} data-testid={`undo-${props.line}`}>{t("corrections.undo")}</button>
      </td>
    );
  }
  return (
    <td className="correction">
      <select
        value=""
        aria-label={t("corrections.choose", { line: props.line })}
        onChange={(e) => props.onCorrect(e.target.value === LEAVE_OUT ? { kind: "exclude" } : { kind: "relabel", label: e.target.value })}
        data-testid={`correct-${props.line}`}
      >
        <option value="">{t("corrections.placeholder")}</option>
        {props.labels.filter((l) => l !== props.label).map((l) => <option key={l} value={l}>{props.named(l)}</option>)}
        <option value={LEAVE_OUT}>{t("corrections.leaveOut")}</option>
      </select>
    </td>
  );
}

/** The corrections of this file so far, each undoable, and the corrected copy to export. */
export function CorrectionsList(props: {
  rows: CorrectedRow[];
  named: (code: string) => string;
  error: string | null;
  exported: CorrectedFile | null;
  onUndo: (line: number) => void;
  onExport: () => void;
  /** Absent for a model not trained here (it has no recipe to run again), and for a
   * classified file (the model did not learn from it). */
  onTrainAgain?: () => void;
  trainingNow: boolean;
}) {
  const { t } = useTranslation();
  if (props.rows.length === 0 && !props.error) return <p className="muted small">{t("corrections.none")}</p>;
  return (
    <div className="stack" data-testid="corrections">
      <h4>{t("corrections.title", { count: props.rows.length, n: formatCount(props.rows.length) })}</h4>
      <p className="muted small">{t("corrections.kept")}</p>
      <ul className="small">
        {props.rows.map((r) => (
          <li key={r.line}>
            {t("corrections.line", { line: r.line, text: r.text })}{" "}
            {r.correction.kind === "exclude" ? t("corrections.leftOut") : t("corrections.fromTo", { from: props.named(r.label), to: props.named(r.correction.label) })}{" "}
            <button className="link" aria-label={t("corrections.undoLine", { line: r.line })} onClick={() => props.onUndo(r.line)}>{t("corrections.undo")}</button>
          </li>
        ))}
      </ul>
      {props.error && <div className="problem">{props.error}</div>}
      <div className="row wrap">
        <button onClick={props.onExport} disabled={props.rows.length === 0} data-testid="export-corrected">{t("corrections.export")}</button>
        {props.onTrainAgain && (
          <button className="primary" onClick={props.onTrainAgain} disabled={props.rows.length === 0 || props.trainingNow}
            title={props.trainingNow ? t("corrections.waitForRun") : t("corrections.trainAgainHelp")} data-testid="train-again-corrected">
            {t("corrections.trainAgain")}
          </button>
        )}
        {props.exported && (
          <span className="small" data-testid="exported">
            {t("corrections.written", {
              path: props.exported.path,
              rows: formatCount(props.exported.copy.rows_written),
              relabelled: formatCount(props.exported.copy.relabelled),
              excluded: formatCount(props.exported.copy.excluded),
            })}
          </span>
        )}
      </div>
    </div>
  );
}
