import { useTranslation } from "react-i18next";
import type { PredictionSummary } from "../bindings/PredictionSummary";
import { useCorrections } from "../hooks/useCorrections";
import { withName } from "../logic/labelNames";
import { CorrectionCell, CorrectionsList } from "./Corrections";

/** A classified row whose score is under the threshold. The engine says where the score is:
 * input columns may have any names. */
export function isDoubtful(summary: PredictionSummary, row: string[], threshold: number): boolean {
  return summary.score_column >= 0 && Number(row[summary.score_column]) < threshold;
}

/** The classified file's first rows, the doubtful ones marked; with a single-label model each
 * row's predicted label can be corrected (or the row left out), kept beside the model, and a
 * corrected copy of the classified file exported: labelled data to train on. */
export function ClassifiedPreview(props: {
  summary: PredictionSummary;
  /** Where the classified file is now (moved by "Save as…"). */
  file: string;
  modelId: string;
  /** Multi-label predictions are not corrected here (a row's labels are a set). */
  correctable: boolean;
  threshold: number;
}) {
  const { t } = useTranslation();
  const s = props.summary;
  const corrections = useCorrections(props.modelId, props.file);
  const correctedAt = new Map(corrections.rows.map((c) => [c.line, c]));
  const named = (code: string) => withName(code, s.label_names);
  const labels = s.predicted.map((p) => p.label);
  const textAt = s.header.indexOf(s.text_column);
  return (
    <div className="stack">
      <div className="table-wrap tall" tabIndex={0}>
        <table className="data-table">
          <thead>
            <tr>
              {s.header.map((h, i) => <th key={i}>{h}</th>)}
              {props.correctable && <th>{t("inspector.columns.correction")}</th>}
            </tr>
          </thead>
          <tbody>
            {s.first_rows.map((row, i) => {
              const line = s.first_lines[i];
              const predicted = row[s.label_column] ?? "";
              return (
                <tr key={i} className={isDoubtful(s, row, props.threshold) ? "low-confidence" : ""}>
                  {row.map((cell, j) => {
                    // The predicted labels (the first and any further ones) with their names.
                    const isLabel = j >= s.label_column && (j - s.label_column) % 2 === 0;
                    const text = isLabel ? named(cell) : cell;
                    return <td key={j} title={text} className={isLabel ? "named" : undefined}>{text}</td>;
                  })}
                  {props.correctable &&
                    (predicted && line !== undefined ? (
                      <CorrectionCell line={line} label={predicted} corrected={correctedAt.get(line)} labels={labels} named={named}
                        onCorrect={(c) => void corrections.correct({ line, text: row[textAt] ?? "", label: predicted }, c)}
                        onUndo={() => void corrections.undo(line)} />
                    ) : (
                      <td />
                    ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {props.correctable && (
        <CorrectionsList rows={corrections.rows} named={named} error={corrections.error} exported={corrections.exported}
          onUndo={(line) => void corrections.undo(line)}
          onExport={() => void corrections.exportCopy(s.text_column, s.header[s.label_column])}
          trainingNow={false} />
      )}
    </div>
  );
}
