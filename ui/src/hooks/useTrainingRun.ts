// One training run as the page follows it: its progress (folded from the engine's events), the
// job to cancel, the clock, and the report once it finishes.
import { useCallback, useEffect, useState } from "react";
import { libraryApi } from "../api/library";
import { trainingApi } from "../api/training";
import type { TrainingEvent } from "../bindings/TrainingEvent";
import type { TrainingReport } from "../bindings/TrainingReport";
import type { TrainingStarted } from "../bindings/TrainingStarted";
import { applyEvent, initialProgress, isOver, type TrainingProgress } from "../logic/trainingProgress";

export interface TrainingRun {
  progress: TrainingProgress | null;
  /** The job the app runs, as it announced it (its model's id and folder included). */
  job: TrainingStarted | null;
  elapsedSeconds: number;
  cancelling: boolean;
  report: TrainingReport | null;
  exportedTo: string | null;
  /** A run is going. */
  running: boolean;
  /** Starts a run (new, or resumed) with `start`, whose events update `progress`. */
  follow: (start: (onEvent: (event: TrainingEvent) => void) => Promise<TrainingStarted>) => Promise<boolean>;
  cancel: () => void;
  exportModel: () => void;
}

/** `onFinished` runs once the finished run's report is read; `onOver` when a run stops in any way. */
export function useTrainingRun(fail: (e: unknown) => void, onFinished: () => void, onOver: () => void): TrainingRun {
  const [progress, setProgress] = useState<TrainingProgress | null>(null);
  const [job, setJob] = useState<TrainingStarted | null>(null);
  const [startedAt, setStartedAt] = useState(0);
  const [elapsedSeconds, setElapsed] = useState(0);
  const [cancelling, setCancelling] = useState(false);
  const [report, setReport] = useState<TrainingReport | null>(null);
  const [exportedTo, setExportedTo] = useState<string | null>(null);
  const running = progress !== null && !isOver(progress.status);

  // The elapsed-time clock of the training view.
  useEffect(() => {
    if (!job || !running) return;
    const timer = setInterval(() => setElapsed((Date.now() - startedAt) / 1000), 1000);
    return () => clearInterval(timer);
  }, [job, running, startedAt]);

  // A run that stopped may have left a checkpoint to resume; a finished one has a report.
  const status = progress?.status;
  useEffect(() => {
    if (!status || !isOver(status)) return;
    onOver();
    if (status !== "finished" || !job) return;
    libraryApi.modelReport(job.model_id).then((r) => {
      setReport(r);
      onFinished();
    }, fail);
    // Once per outcome of this job.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status, job]);

  const follow = useCallback(
    async (start: (onEvent: (event: TrainingEvent) => void) => Promise<TrainingStarted>) => {
      setCancelling(false);
      setReport(null);
      setExportedTo(null);
      setProgress(initialProgress());
      setElapsed(0);
      try {
        const started = await start((event) => setProgress((p) => applyEvent(p ?? initialProgress(), event)));
        setJob(started);
        setStartedAt(Date.now());
        return true;
      } catch (e) {
        setProgress(null);
        fail(e);
        return false;
      }
    },
    [fail],
  );

  const cancel = useCallback(() => {
    if (!job) return;
    setCancelling(true);
    trainingApi.cancelTraining(job.job_id).catch(fail);
  }, [job, fail]);

  const exportModel = useCallback(() => {
    if (!job) return;
    libraryApi.exportModel(job.model_id).then((to) => to && setExportedTo(to), fail);
  }, [job, fail]);

  return { progress, job, elapsedSeconds, cancelling, report, exportedTo, running, follow, cancel, exportModel };
}
