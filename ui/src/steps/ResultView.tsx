import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { TrainingEvent } from "../bindings/TrainingEvent";
import type { TrainingReport } from "../bindings/TrainingReport";
import { Chart } from "../components/Chart";
import { useColorScheme } from "../components/useColorScheme";
import type { ThresholdPoint } from "../bindings/ThresholdPoint";
import { confusionHeatmap, thresholdCurveChart } from "../logic/charts";
import { bestThreshold, pointAt } from "../logic/threshold";
import { formatCount, formatDuration, formatPercent, formatSignificant } from "../logic/format";

/** A run the CLI split over several devices or machines (the app itself trains on one). */
const splitRun = (report: TrainingReport) => report.devices.length > 1 || report.nodes > 1;
import { withName } from "../logic/labelNames";

type SortKey = "label" | "f1" | "precision" | "recall" | "support";

type StoppedEarlyEvent = Extract<TrainingEvent, { event: "stopped_early" }>;

export function ResultView(props: {
  report: TrainingReport;
  modelFolder: string;
  exportedTo: string | null;
  onExport: () => void;
  onTrainAgain: () => void;
  /** Multi-label models: keeps another decision threshold in the model folder. */
  onThreshold: (threshold: number) => Promise<void>;
}) {
  const { report } = props;
  const { t, i18n } = useTranslation();
  const m = report.final_metrics;
  const stop = report.history.find((e): e is StoppedEarlyEvent => e.event === "stopped_early");
  const [sort, setSort] = useState<SortKey>("f1");
  const dark = useColorScheme() === "dark";
  const rows = m ? [...m.per_class].sort((a, b) => (sort === "label" ? a.label.localeCompare(b.label, i18n.language, { numeric: true }) : b[sort] - a[sort])) : [];
  return (
    <section className="panel" data-testid="result-view">
      <div className="row space-between">
        <h2>{t("result.title")}</h2>
        <div className="actions">
          <button onClick={props.onTrainAgain} data-testid="train-again">{t("result.trainAgain")}</button>
          <button className="primary" onClick={props.onExport} data-testid="export-model">
            {t("result.export")}
          </button>
        </div>
      </div>
      {props.exportedTo && <p className="ok small">{t("result.exportedTo", { path: props.exportedTo })}</p>}
      <div className="cards">
        {m?.multi_label ? (
          <>
            <div className="card"><span>{t("metrics.subset_accuracy")}</span><b data-testid="final-accuracy">{formatPercent(m.accuracy)}</b><small>{t("result.subsetAccuracyMeans")}</small></div>
            <div className="card"><span>{t("metrics.micro_f1")}</span><b>{formatPercent(m.multi_label.micro_f1)}</b><small>{t("result.microF1Means")}</small></div>
            <div className="card"><span>{t("metrics.macro_f1")}</span><b>{formatPercent(m.macro_f1)}</b><small>{t("result.macroF1MeansLabels")}</small></div>
          </>
        ) : (
          <>
            <div className="card"><span>{t("metrics.accuracy")}</span><b data-testid="final-accuracy">{formatPercent(m?.accuracy)}</b><small>{t("result.accuracyMeans")}</small></div>
            <div className="card"><span>{t("metrics.macro_f1")}</span><b>{formatPercent(m?.macro_f1)}</b><small>{t("result.macroF1Means")}</small></div>
            <div className="card"><span>{t("metrics.top2_accuracy")}</span><b>{formatPercent(m?.top2_accuracy)}</b><small>{t("result.top2Means")}</small></div>
          </>
        )}
        <div className="card"><span>{t("result.trainingTime")}</span><b>{formatDuration(report.wall_seconds)}</b><small>{t("result.on", { backend: report.backend })}{splitRun(report) && <> · <span data-testid="devices-used">{t("result.devices", { devices: report.devices.join(", "), count: report.nodes })}</span></>}</small></div>
      </div>
      <p className="muted small">
        {t("result.summary", {
          model: report.base_model,
          rows: formatCount(report.data.train_rows),
          count: report.data.classes.length,
          validation: formatCount(m?.examples ?? 0),
        })}
        {stop ? t("result.stoppedEarly", { epoch: formatSignificant(stop.epoch, 3), epochs: report.recipe.epochs }) : ""}
        {report.best_epoch != null ? t("result.keptEpoch", { epoch: report.best_epoch }) : ""}. {t("result.savedIn")}{" "}
        <code>{props.modelFolder}</code>
      </p>
      {m && (
        <div className="result-grid">
          <div className="table-wrap tall" tabIndex={0}>
            <table className="data-table numeric" data-testid="per-class-table">
              <thead>
                <tr>
                  {(["label", "precision", "recall", "f1", "support"] as SortKey[]).map((k) => (
                    <th key={k} className={sort === k ? "sorted" : ""} aria-sort={sort === k ? (k === "label" ? "ascending" : "descending") : undefined}>
                      <button className="link" onClick={() => setSort(k)}>{t(`result.columns.${k}`)}</button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.label}>
                    <td className="named" title={withName(c.label, report.data.label_names)}>{withName(c.label, report.data.label_names)}</td>
                    <td>{formatPercent(c.precision, 0)}</td>
                    <td>{formatPercent(c.recall, 0)}</td>
                    <td>{formatPercent(c.f1, 0)}</td>
                    <td>{c.support}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {m.multi_label ? (
            <ThresholdChoice curve={m.multi_label.curve} trainedWith={m.multi_label.threshold} onThreshold={props.onThreshold} />
          ) : (
            <Chart option={confusionHeatmap(m, dark, report.data.label_names)} height={Math.min(720, 220 + m.per_class.length * 6)} testId="confusion" points={m.per_class.length} />
          )}
        </div>
      )}
    </section>
  );
}

/** The validation rows' micro F1 by decision threshold, and one click to keep the best. */
function ThresholdChoice(props: { curve: ThresholdPoint[]; trainedWith: number; onThreshold: (threshold: number) => Promise<void> }) {
  const { t } = useTranslation();
  const [inUse, setInUse] = useState(props.trainedWith);
  const [saving, setSaving] = useState(false);
  const best = bestThreshold(props.curve);
  const current = pointAt(props.curve, inUse);
  const keep = (threshold: number) => {
    setSaving(true);
    // A failure is said by the page; the threshold in use stays the folder's.
    props
      .onThreshold(threshold)
      .then(() => setInUse(threshold), () => undefined)
      .finally(() => setSaving(false));
  };
  return (
    <div data-testid="threshold-choice">
      <Chart option={thresholdCurveChart(props.curve, inUse)} height={300} testId="threshold-curve" points={props.curve.length} />
      <p className="small">
        {t("result.thresholdInUse", { threshold: formatSignificant(inUse, 3), f1: formatPercent(current?.micro_f1) })}{" "}
        {best && Math.abs(best.threshold - inUse) > 1e-9 && best.micro_f1 > (current?.micro_f1 ?? 0) ? (
          <>
            {t("result.thresholdBetter", { threshold: formatSignificant(best.threshold, 3), f1: formatPercent(best.micro_f1) })}{" "}
            <button onClick={() => keep(best.threshold)} disabled={saving} data-testid="use-threshold">
              {t("result.useThreshold", { threshold: formatSignificant(best.threshold, 3) })}
            </button>
          </>
        ) : (
          t("result.thresholdBest")
        )}
      </p>
    </div>
  );
}
