import { useEffect, useMemo, useRef, useState } from "react";
import type { EvaluationReport } from "../bindings/EvaluationReport";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import { Chart } from "../components/Chart";
import { useColorScheme } from "../components/useColorScheme";
import { confusionHeatmap } from "../logic/charts";
import { formatCount, formatPercent } from "../logic/format";

const ALL = "";

/** The rows a model got wrong in a labelled file, filterable by true and predicted class
 * (a click on a cell of the confusion matrix sets both). */
export function ErrorInspector(props: { model: LibraryEntry; report: EvaluationReport; onClose: () => void }) {
  const r = props.report;
  const [truth, setTruth] = useState(ALL);
  const [predicted, setPredicted] = useState(ALL);
  const dark = useColorScheme() === "dark";
  // A new result opens below the library: bring it into view.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.scrollIntoView?.({ behavior: "smooth", block: "start" }), [r]);
  const labels = r.metrics.per_class.map((c) => c.label);
  const rows = useMemo(
    () => r.misclassified.filter((m) => (truth === ALL || m.true_label === truth) && (predicted === ALL || m.predicted[0]?.label === predicted)),
    [r, truth, predicted],
  );
  return (
    <section className="panel" data-testid="error-inspector" ref={panel}>
      <div className="row space-between">
        <h2>Errors of {props.model.name} <span className="muted small">on {r.input.split(/[\\/]/).pop()}</span></h2>
        <button onClick={props.onClose}>Close</button>
      </div>
      <p className="small">
        Accuracy <b>{formatPercent(r.metrics.accuracy)}</b>, macro F1 <b>{formatPercent(r.metrics.macro_f1)}</b> on {formatCount(r.evaluated_rows)} rows;{" "}
        <b>{formatCount(r.misclassified_total)}</b> misclassified.
        {r.unseen_labels.length > 0 && ` Labels the model never saw (counted as errors): ${r.unseen_labels.map((u) => `${u.label} (${u.rows})`).join(", ")}.`}
      </p>
      <div className="result-grid">
        <div className="stack">
          <div className="row">
            <label className="row small">True class
              <select value={truth} onChange={(e) => setTruth(e.target.value)} data-testid="filter-true">
                <option value={ALL}>all</option>
                {labels.map((l) => <option key={l} value={l}>{l}</option>)}
              </select>
            </label>
            <label className="row small">Predicted
              <select value={predicted} onChange={(e) => setPredicted(e.target.value)}>
                <option value={ALL}>all</option>
                {labels.map((l) => <option key={l} value={l}>{l}</option>)}
              </select>
            </label>
            <span className="small muted">{formatCount(rows.length)} row(s)</span>
          </div>
          <div className="table-wrap tall">
            <table className="data-table" data-testid="misclassified-table">
              <thead><tr><th>Line</th><th>Text</th><th>True</th><th>Predicted (probability)</th></tr></thead>
              <tbody>
                {rows.slice(0, 500).map((m) => (
                  <tr key={m.line}>
                    <td>{m.line}</td>
                    <td title={m.text}>{m.text}</td>
                    <td>{m.true_label}</td>
                    <td>{m.predicted.map((p) => `${p.label} (${(p.score * 100).toFixed(0)} %)`).join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
        <Chart
          option={confusionHeatmap(r.metrics, dark)}
          height={Math.min(640, 220 + labels.length * 6)}
          points={labels.length}
          onClickCell={(p, t) => { setPredicted(labels[p]); setTruth(labels[t]); }}
        />
      </div>
    </section>
  );
}
