import { useState } from "react";
import type { TrainingReport } from "../bindings/TrainingReport";
import { Chart } from "../components/Chart";
import { useColorScheme } from "../components/useColorScheme";
import { confusionHeatmap } from "../logic/charts";
import { formatCount, formatDuration, formatPercent } from "../logic/format";

type SortKey = "label" | "f1" | "precision" | "recall" | "support";

export function ResultView(props: {
  report: TrainingReport;
  modelFolder: string;
  exportedTo: string | null;
  onExport: () => void;
  onTrainAgain: () => void;
}) {
  const { report } = props;
  const m = report.final_metrics;
  const [sort, setSort] = useState<SortKey>("f1");
  const dark = useColorScheme() === "dark";
  const rows = m ? [...m.per_class].sort((a, b) => (sort === "label" ? a.label.localeCompare(b.label, undefined, { numeric: true }) : b[sort] - a[sort])) : [];
  return (
    <section className="panel" data-testid="result-view">
      <div className="row space-between">
        <h2>Result</h2>
        <div className="actions">
          <button onClick={props.onTrainAgain} data-testid="train-again">Train another model</button>
          <button className="primary" onClick={props.onExport} data-testid="export-model">
            Export model folder…
          </button>
        </div>
      </div>
      {props.exportedTo && <p className="ok small">Exported to {props.exportedTo}</p>}
      <div className="cards">
        <div className="card"><span>Accuracy</span><b data-testid="final-accuracy">{formatPercent(m?.accuracy)}</b><small>rows classified right</small></div>
        <div className="card"><span>Macro F1</span><b>{formatPercent(m?.macro_f1)}</b><small>average over classes, each class counts the same</small></div>
        <div className="card"><span>Top-2 accuracy</span><b>{formatPercent(m?.top2_accuracy)}</b><small>right class among the two most likely</small></div>
        <div className="card"><span>Training time</span><b>{formatDuration(report.wall_seconds)}</b><small>on {report.backend}</small></div>
      </div>
      <p className="muted small">
        {report.base_model} fine-tuned on {formatCount(report.data.train_rows)} rows, {report.data.classes.length} classes; measured on{" "}
        {formatCount(m?.examples ?? 0)} validation rows{report.best_epoch != null ? `; kept the model of epoch ${report.best_epoch}` : ""}. Saved in the library:{" "}
        <code>{props.modelFolder}</code>
      </p>
      {m && (
        <div className="result-grid">
          <div className="table-wrap tall">
            <table className="data-table numeric" data-testid="per-class-table">
              <thead>
                <tr>
                  {(["label", "precision", "recall", "f1", "support"] as SortKey[]).map((k) => (
                    <th key={k} onClick={() => setSort(k)} className={sort === k ? "sorted" : ""}>
                      {k === "f1" ? "F1" : k[0].toUpperCase() + k.slice(1)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.label}>
                    <td>{c.label}</td>
                    <td>{formatPercent(c.precision, 0)}</td>
                    <td>{formatPercent(c.recall, 0)}</td>
                    <td>{formatPercent(c.f1, 0)}</td>
                    <td>{c.support}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Chart option={confusionHeatmap(m, dark)} height={Math.min(720, 220 + m.per_class.length * 6)} testId="confusion" points={m.per_class.length} />
        </div>
      )}
    </section>
  );
}
