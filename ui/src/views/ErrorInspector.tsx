import { useEffect, useMemo, useRef, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { classifyApi } from "../api/classify";
import type { EvaluationReport } from "../bindings/EvaluationReport";
import type { Explanation } from "../bindings/Explanation";
import type { LabelScore } from "../bindings/LabelScore";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { MisclassifiedRow } from "../bindings/MisclassifiedRow";
import { Chart } from "../components/Chart";
import { ExplainedText } from "../components/ExplainedText";
import { useColorScheme } from "../components/useColorScheme";
import { useCorrections } from "../hooks/useCorrections";
import { useRevealOnChange } from "../hooks/useFocusAfterChange";
import { confusionHeatmap } from "../logic/charts";
import { errorMessage } from "../logic/engineText";
import { toErrorReport } from "../logic/errors";
import { formatCount, formatPercent } from "../logic/format";
import { withName } from "../logic/labelNames";
import { CorrectionCell, CorrectionsList } from "./Corrections";

const ALL = "";

/** The rows a model got wrong in a labelled file, filterable by true and predicted class
 * (a click on a cell of the confusion matrix sets both). */
export function ErrorInspector(props: {
  model: LibraryEntry;
  report: EvaluationReport;
  onClose: () => void;
  /** A run is training: another has to wait. */
  trainingNow?: boolean;
  onTrainAgain?: (modelId: string) => Promise<void>;
}) {
  const r = props.report;
  const { t } = useTranslation();
  const [truth, setTruth] = useState(ALL);
  const [predicted, setPredicted] = useState(ALL);
  const [why, setWhy] = useState<MisclassifiedRow | null>(null);
  const corrections = useCorrections(props.model.id, r.input);
  const correctedAt = new Map(corrections.rows.map((c) => [c.line, c]));
  // A multi-label row's labels are a set: its correction is not offered here.
  const correctable = r.metrics.confusion.length > 0;
  const dark = useColorScheme() === "dark";
  // A new result opens below the library: bring it into view, the focus with it.
  const panel = useRef<HTMLElement>(null);
  useRevealOnChange(panel, r);
  const labels = r.metrics.per_class.map((c) => c.label);
  const known = new Set(labels.filter((l) => !r.unseen_labels.some((u) => u.label === l)));
  const named = (code: string) => withName(code, r.label_names);
  const [order, setOrder] = useState<"line" | "doubt">("line");
  const rows = useMemo(() => {
    const shown = r.misclassified.filter((m) => (truth === ALL || m.true_label === truth) && (predicted === ALL || m.predicted[0]?.label === predicted));
    // Rows to check first: the lowest probability of the row's own label (a label the model
    // never saw is no sign of a labelling mistake: last).
    return order === "doubt" ? [...shown].sort((a, b) => (a.label_score ?? 2) - (b.label_score ?? 2)) : shown;
  }, [r, truth, predicted, order]);
  return (
    <section className="panel" data-testid="error-inspector" ref={panel}>
      <div className="row space-between">
        <h2>
          {t("inspector.title", { name: props.model.name })} <span className="muted small">{t("inspector.onFile", { file: r.input.split(/[\\/]/).pop() })}</span>
        </h2>
        <button onClick={props.onClose}>{t("common.close")}</button>
      </div>
      <p className="small">
        <Trans
          i18nKey="inspector.summary"
          values={{
            accuracy: formatPercent(r.metrics.accuracy),
            macroF1: formatPercent(r.metrics.macro_f1),
            rows: formatCount(r.evaluated_rows),
            wrong: formatCount(r.misclassified_total),
            count: r.misclassified_total,
          }}
          components={{ b: <b /> }}
        />
        {r.unseen_labels.length > 0 && ` ${t("inspector.unseen", { labels: r.unseen_labels.map((u) => `${u.label} (${formatCount(u.rows)})`).join(", ") })}`}
      </p>
      <div className="result-grid">
        <div className="stack">
          <div className="row wrap">
            <label className="row small">{t("inspector.trueClass")}
              <select className="label-filter" value={truth} onChange={(e) => setTruth(e.target.value)} data-testid="filter-true">
                <option value={ALL}>{t("inspector.all")}</option>
                {labels.map((l) => <option key={l} value={l}>{named(l)}</option>)}
              </select>
            </label>
            <label className="row small">{t("inspector.predicted")}
              <select className="label-filter" value={predicted} onChange={(e) => setPredicted(e.target.value)}>
                <option value={ALL}>{t("inspector.all")}</option>
                {labels.map((l) => <option key={l} value={l}>{named(l)}</option>)}
              </select>
            </label>
            <span className="small muted">{t("inspector.rowCount", { count: rows.length, n: formatCount(rows.length) })}</span>
          </div>
          {correctable && (
            <div className="row wrap">
              <span className="small muted">{t("inspector.order")}</span>
              <div className="segmented">
                <button className={order === "line" ? "on" : ""} aria-pressed={order === "line"} onClick={() => setOrder("line")}>{t("inspector.byLine")}</button>
                <button className={order === "doubt" ? "on" : ""} aria-pressed={order === "doubt"} onClick={() => setOrder("doubt")} data-testid="order-doubt">{t("inspector.checkFirst")}</button>
              </div>
              <span className="small muted">{t("inspector.checkFirstHelp")}</span>
            </div>
          )}
          <div className="table-wrap tall" tabIndex={0}>
            <table className="data-table" data-testid="misclassified-table">
              <thead><tr><th>{t("inspector.columns.line")}</th><th>{t("inspector.columns.text")}</th><th>{t("inspector.columns.true")}</th><th>{t("inspector.columns.predicted")}</th>{correctable && <th>{t("inspector.columns.correction")}</th>}</tr></thead>
              <tbody>
                {rows.slice(0, 500).map((m) => (
                  <tr key={m.line} className={why?.line === m.line ? "selected" : undefined}>
                    <td>
                      {m.line}{" "}
                      <button className="link" title={t("explain.whyHelp")} aria-label={t("explain.whyLine", { line: m.line })} onClick={() => setWhy(m)} data-testid={`why-${m.line}`}>{t("explain.why")}</button>
                    </td>
                    <td title={m.text}>{m.text}</td>
                    <td className="named" title={named(m.true_label)}>{named(m.true_label)}</td>
                    {m.missed_labels && m.extra_labels ? (
                      <MissedAndExtraCell missed={m.missed_labels} extra={m.extra_labels} named={named} />
                    ) : (
                      <PredictedCell predicted={m.predicted} named={named} />
                    )}
                    {correctable && (
                      <CorrectionCell line={m.line} label={m.true_label} corrected={correctedAt.get(m.line)} labels={labels} named={named}
                        onCorrect={(c) => void corrections.correct({ line: m.line, text: m.text, label: m.true_label }, c)} onUndo={() => void corrections.undo(m.line)} />
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {why && <RowExplanation key={why.line} modelId={props.model.id} row={why} known={known} named={named} />}
          {correctable && (
            <CorrectionsList rows={corrections.rows} named={named} error={corrections.error} exported={corrections.exported}
              onUndo={(line) => void corrections.undo(line)} onExport={() => void corrections.exportCopy(r.text_column, r.label_column)}
              onTrainAgain={props.model.trained_here && props.onTrainAgain ? () => void corrections.trainAgain(() => props.onTrainAgain!(props.model.id)) : undefined}
              trainingNow={(props.trainingNow ?? false) || corrections.starting} />
          )}
        </div>
        {r.metrics.confusion.length > 0 && (
          <Chart
            option={confusionHeatmap(r.metrics, dark, r.label_names)}
            height={Math.min(640, 220 + labels.length * 6)}
            points={labels.length}
            onClickCell={(p, t) => { setPredicted(labels[p]); setTruth(labels[t]); }}
          />
        )}
      </div>
    </section>
  );
}

/** Which words of a wrong row pushed the model towards its true label and towards the label
 * it gave (multi-label: each missed and each extra label). */
function RowExplanation(props: { modelId: string; row: MisclassifiedRow; known: Set<string>; named: (code: string) => string }) {
  const { t } = useTranslation();
  const m = props.row;
  const wanted: [string, string][] = m.missed_labels && m.extra_labels
    ? [...m.missed_labels.map((l): [string, string] => [l, "forMissed"]), ...m.extra_labels.map((l): [string, string] => [l, "forExtra"])]
    : [[m.true_label, "forTrue"], [m.predicted[0]?.label ?? "", "forPredicted"]];
  // A label the model never saw has no score to explain.
  const explained = wanted.filter(([label]) => props.known.has(label));
  const [found, setFound] = useState<Explanation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    setFound(null);
    setError(null);
    classifyApi.explainText(props.modelId, m.text, explained.map(([label]) => label)).then(
      (e) => current && setFound(e),
      (e) => {
        const report = toErrorReport(e);
        if (current && report.kind !== "cancelled") setError(errorMessage(report));
      },
    );
    return () => {
      current = false;
    };
    // `wanted` follows from the row: one request per row.
  }, [props.modelId, m]);
  return (
    <div className="stack" data-testid="row-explanation" aria-live="polite">
      <h4>{t("inspector.whyLine", { line: m.line })}</h4>
      {error && <div className="problem">{error}</div>}
      {!found && !error && <p className="muted small">{t("explain.working")}</p>}
      {found?.map((e, i) => (
        <div key={i}>
          <p className="small"><b>{t(`explain.${explained[i][1]}`, { label: props.named(e.label) })}</b></p>
          <ExplainedText explanation={e} labelName={props.named(e.label)} testId={`row-explained-${i}`} />
        </div>
      ))}
    </div>
  );
}

/** The most probable labels: the first with its name (the others by code, to stay short; all
 * of them named in the cell's tooltip). */
function PredictedCell(props: { predicted: LabelScore[]; named: (code: string) => string }) {
  const [first, ...others] = props.predicted;
  if (!first) return <td />;
  const score = (p: LabelScore) => `(${formatPercent(p.score, 0)})`;
  const full = props.predicted.map((p) => `${props.named(p.label)} ${score(p)}`).join(", ");
  const short = [`${props.named(first.label)} ${score(first)}`, ...others.map((p) => `${p.label} ${score(p)}`)].join(", ");
  return <td className="named" title={full}>{short}</td>;
}

/** A multi-label row's mistakes: the labels it has that the model missed, and those the model
 * added. */
function MissedAndExtraCell(props: { missed: string[]; extra: string[]; named: (code: string) => string }) {
  const { t } = useTranslation();
  const list = (labels: string[]) => (labels.length ? labels.map(props.named).join(", ") : t("inspector.none"));
  const text = t("inspector.missedAndExtra", { missed: list(props.missed), extra: list(props.extra) });
  return <td className="named" title={text}>{text}</td>;
}
