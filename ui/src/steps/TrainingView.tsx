import { Chart } from "../components/Chart";
import { learningRateChart, lossChart, throughputChart, validationChart } from "../logic/charts";
import { formatBytes, formatCount, formatDuration } from "../logic/format";
import { fractionDone, isOver, type TrainingProgress } from "../logic/trainingProgress";

export interface TrainingViewProps {
  progress: TrainingProgress;
  elapsedSeconds: number;
  cancelling: boolean;
  onCancel: () => void;
  onShowResult: () => void;
  onBackToSettings: () => void;
}

const STATUS_WORDS: Record<TrainingProgress["status"], string> = {
  starting: "Preparing the data and the model…",
  downloading: "Downloading the model…",
  running: "Training",
  finished: "Finished",
  failed: "Stopped by an error",
  cancelled: "Cancelled",
};

export function TrainingView(p: TrainingViewProps) {
  const s = p.progress;
  const over = isOver(s.status);
  const done = fractionDone(s);
  const estimatedTotal = s.etaSeconds != null && s.step > 0 ? p.elapsedSeconds + s.etaSeconds : null;
  const lastSpeed = s.samplesPerSecond.at(-1)?.[1];
  return (
    <section className="panel" data-testid="training-view" data-status={s.status}>
      <div className="row space-between">
        <h2>
          {STATUS_WORDS[s.status]}
          {s.status === "running" && s.model && <span className="muted small"> · {s.model}</span>}
        </h2>
        <div className="actions">
          {!over && (
            <button className="danger" onClick={p.onCancel} disabled={p.cancelling} data-testid="cancel-training">
              {p.cancelling ? "Stopping…" : "Cancel"}
            </button>
          )}
          {s.status === "finished" && (
            <button className="primary" onClick={p.onShowResult}>See the result →</button>
          )}
          {(s.status === "failed" || s.status === "cancelled") && <button onClick={p.onBackToSettings}>← Settings</button>}
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
          The epochs finished so far are kept: resume this run from Models → Unfinished runs.
        </p>
      )}
      {s.resumedAfterEpoch != null && (
        <p className="muted small" data-testid="resumed-note">
          Resumed from the checkpoint saved after epoch {s.resumedAfterEpoch}; the curves include the epochs before it.
        </p>
      )}
      <div className="progress-line">
        <progress max={1} value={done} data-testid="training-progress" />
        <span className="small">
          step {s.step} / {s.totalSteps || "?"} · epoch {s.epoch.toFixed(2)}
        </span>
      </div>
      <div className="stats">
        <div>
          Hardware: <b data-testid="backend">{s.backend ?? "…"}</b>
          {s.backendReason && <div className="muted small">{s.backendReason}</div>}
        </div>
        <div>Elapsed: <b>{formatDuration(p.elapsedSeconds)}</b></div>
        <div>
          Time left: <b>{over ? "–" : s.etaSeconds != null ? formatDuration(s.etaSeconds) : "measuring…"}</b>
          {estimatedTotal != null && !over && <div className="muted small">whole run ≈ {formatDuration(estimatedTotal)}</div>}
        </div>
        <div>Speed: <b>{lastSpeed != null ? `${lastSpeed.toFixed(1)} rows/s` : "…"}</b></div>
        {s.data && (
          <div>
            Data: <b>{formatCount(s.data.train_rows)}</b> training, <b>{formatCount(s.data.validation_rows)}</b> validation rows
          </div>
        )}
      </div>
      {s.error && (
        <div className="error-panel" role="alert" data-testid="error">
          <div>
            <strong>{s.error.message}</strong>
            <p>
              No model was saved.{" "}
              {s.checkpointed && "The epochs finished before the error are kept as a checkpoint (Models → Unfinished runs). "}
              {s.error.hint ?? "Adjust the settings and start again."}
            </p>
          </div>
        </div>
      )}
      {s.warnings.length > 0 && (
        <ul className="warnings">
          {s.warnings.map((w) => (
            <li key={w}>{w}</li>
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
