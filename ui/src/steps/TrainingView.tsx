import { Trans, useTranslation } from "react-i18next";
import { Chart } from "../components/Chart";
import { learningRateChart, lossChart, throughputChart, validationChart } from "../logic/charts";
import { engineText, errorHint, errorMessage } from "../logic/engineText";
import { formatBytes, formatCount, formatDecimal, formatDuration, formatSignificant } from "../logic/format";
import { fractionDone, type TrainingProgress } from "../logic/trainingProgress";

export interface TrainingViewProps {
  progress: TrainingProgress;
  elapsedSeconds: number;
  cancelling: boolean;
  onCancel: () => void;
  /** Absent in a search: its runs are compared at its end instead. */
  onShowResult?: () => void;
  onBackToSettings: () => void;
  /** The work goes on: the run, or the search it is one run of (whose end is not this run's). */
  running: boolean;
}

export function TrainingView(p: TrainingViewProps) {
  const { t } = useTranslation();
  const s = p.progress;
  const over = !p.running;
  const done = fractionDone(s);
  const estimatedTotal = s.etaSeconds != null && s.step > 0 ? p.elapsedSeconds + s.etaSeconds : null;
  const lastSpeed = s.samplesPerSecond.at(-1)?.[1];
  return (
    <section className="panel" data-testid="training-view" data-status={s.status}>
      <div className="row space-between">
        <h2>
          {t(`training.status.${s.status}`)}
          {s.status === "running" && s.model && <span className="muted small"> · {s.model}</span>}
        </h2>
        <div className="actions">
          {!over && (
            <button className="danger" onClick={p.onCancel} disabled={p.cancelling} data-testid="cancel-training">
              {p.cancelling ? t("training.stopping") : t("common.cancel")}
            </button>
          )}
          {s.status === "finished" && p.onShowResult && (
            <button className="primary" onClick={p.onShowResult}>{t("training.seeResult")}</button>
          )}
          {over && (s.status !== "finished" || !p.onShowResult) && <button onClick={p.onBackToSettings}>{t("training.backToSettings")}</button>}
        </div>
      </div>
      {s.download && (
        <div className="progress-line">
          <progress max={s.download.total || 1} value={s.download.done} />
          <span className="small muted">
            {s.download.file}: {formatBytes(s.download.done)} / {formatBytes(s.download.total)}
          </span>
        </div>
      )}
      {s.status === "cancelled" && s.checkpointed && (
        <p className="small" data-testid="resumable-note">
          {t("training.resumable")}
        </p>
      )}
      {s.resumedAfterEpoch != null && (
        <p className="muted small" data-testid="resumed-note">
          {t("training.resumed", { epoch: s.resumedAfterEpoch })}
        </p>
      )}
      {s.stoppedEarly && (
        <p className="small" data-testid="stopped-early-note">
          {t(s.stoppedEarly.threshold > 0 ? "training.stoppedEarlyBy" : "training.stoppedEarly", {
            epoch: formatSignificant(s.stoppedEarly.epoch, 3),
            step: formatCount(s.stoppedEarly.step),
            metric: t(`metrics.${s.stoppedEarly.metric}`),
            threshold: formatSignificant(s.stoppedEarly.threshold, 3),
            count: s.stoppedEarly.evaluations,
          })}
        </p>
      )}
      <div className="progress-line">
        <progress max={1} value={done} data-testid="training-progress" />
        <span className="small">
          {t("training.stepOf", { step: formatCount(s.step), total: s.totalSteps ? formatCount(s.totalSteps) : "?", epoch: formatDecimal(s.epoch, 2) })}
        </span>
      </div>
      <div className="stats">
        <div>
          {t("training.hardware")} <b data-testid="backend">{s.backend ?? "…"}</b>
          {s.backendReason && <div className="muted small">{engineText(s.backendReason)}</div>}
        </div>
        <div>{t("training.elapsed")} <b>{formatDuration(p.elapsedSeconds)}</b></div>
        <div>
          {t("training.timeLeft")} <b>{over ? "–" : s.etaSeconds != null ? formatDuration(s.etaSeconds) : t("training.measuring")}</b>
          {estimatedTotal != null && !over && <div className="muted small">{t("training.wholeRun", { duration: formatDuration(estimatedTotal) })}</div>}
        </div>
        <div>{t("training.speed")} <b>{lastSpeed != null ? t("units.rowsPerSecond", { n: formatDecimal(lastSpeed, 1) }) : "…"}</b></div>
        {s.data && (
          <div>
            <Trans
              i18nKey="training.data"
              values={{ train: formatCount(s.data.train_rows), validation: formatCount(s.data.validation_rows), count: s.data.validation_rows }}
              components={{ b: <b /> }}
            />
          </div>
        )}
      </div>
      {s.error && (
        <div className="error-panel" role="alert" data-testid="error">
          <div>
            <strong>{errorMessage(s.error)}</strong>
            <p>
              {t("training.noModelSaved")}{" "}
              {s.checkpointed && `${t("training.checkpointKept")} `}
              {errorHint(s.error) ?? t("training.adjustAndRetry")}
            </p>
          </div>
        </div>
      )}
      {s.warnings.length > 0 && (
        <ul className="warnings">
          {s.warnings.map((w) => (
            <li key={w.text}>{engineText(w)}</li>
          ))}
        </ul>
      )}
      <div className="chart-grid">
        <Chart option={lossChart(s)} testId="loss-chart" points={s.loss.length} />
        <Chart option={validationChart(s)} testId="validation-chart" points={s.evaluations.length} />
        <Chart option={learningRateChart(s)} testId="lr-chart" points={s.learningRate.length} />
        <Chart option={throughputChart(s)} testId="speed-chart" points={s.samplesPerSecond.length} />
      </div>
    </section>
  );
}
