// One training run as the page follows it: its progress (folded from the engine's events), the
// job to cancel, the clock, and the report once it finishes. A search over settings is followed
// the same way: its trials one after the other, the running one's progress as a run's.
import { useCallback, useEffect, useState } from "react";
import { libraryApi } from "../api/library";
import { trainingApi } from "../api/training";
import type { SearchEvent } from "../bindings/SearchEvent";
import type { SearchStarted } from "../bindings/SearchStarted";
import type { TrainingEvent } from "../bindings/TrainingEvent";
import type { TrainingReport } from "../bindings/TrainingReport";
import type { TrainingStarted } from "../bindings/TrainingStarted";
import { applySearchEvent, initialSearch, trainingEventOf, type SearchProgress } from "../logic/searchProgress";
import { applyEvent, initialProgress, isOver, type TrainingProgress } from "../logic/trainingProgress";

export interface TrainingRun {
  progress: TrainingProgress | null;
  /** The job the app runs, as it announced it (its model's id and folder included). */
  job: TrainingStarted | null;
  elapsedSeconds: number;
  cancelling: boolean;
  report: TrainingReport | null;
  exportedTo: string | null;
  /** The search being followed (null for a single run): its trials and results. */
  search: SearchProgress | null;
  /** A run (or a search) is going. */
  running: boolean;
  /** Starts a run (new, or resumed) with `start`, whose events update `progress`. */
  follow: (start: (onEvent: (event: TrainingEvent) => void) => Promise<TrainingStarted>) => Promise<boolean>;
  /** Starts a search with `start`: `search` follows it, `progress` its running trial. */
  followSearch: (start: (onEvent: (event: SearchEvent) => void) => Promise<SearchStarted>) => Promise<boolean>;
  cancel: () => void;
  exportModel: () => void;
}

/** `onFinished` runs once the finished run's report is read; `onOver` when a run stops in any way. */
export function useTrainingRun(fail: (e: unknown) => void, onFinished: () => void, onOver: () => void): TrainingRun {
  const [progress, setProgress] = useState<TrainingProgress | null>(null);
  const [job, setJob] = useState<TrainingStarted | null>(null);
  const [search, setSearch] = useState<SearchProgress | null>(null);
  const [searchJob, setSearchJob] = useState<number | null>(null);
  const [startedAt, setStartedAt] = useState(0);
  const [elapsedSeconds, setElapsed] = useState(0);
  const [cancelling, setCancelling] = useState(false);
  const [report, setReport] = useState<TrainingReport | null>(null);
  const [exportedTo, setExportedTo] = useState<string | null>(null);
  // Between two trials the finished trial's progress is over, the search is not.
  const running = search ? search.status === "running" : progress !== null && !isOver(progress.status);

  // The elapsed-time clock of the training view (a search's: since it started).
  const following = job !== null || searchJob !== null;
  useEffect(() => {
    if (!following || !running) return;
    const timer = setInterval(() => setElapsed((Date.now() - startedAt) / 1000), 1000);
    return () => clearInterval(timer);
  }, [following, running, startedAt]);

  // A run that stopped may have left a checkpoint to resume; a finished one has a report.
  const status = progress?.status;
  useEffect(() => {
    if (!status || !isOver(status)) return;
    onOver();
    // A search's trial that finishes is one model of the library, not the run's result.
    if (status !== "finished" || !job || search) return;
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
      setSearch(null);
      setSearchJob(null);
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

  const followSearch = useCallback(
    async (start: (onEvent: (event: SearchEvent) => void) => Promise<SearchStarted>) => {
      setCancelling(false);
      setReport(null);
      setExportedTo(null);
      setJob(null);
      setSearch(initialSearch([]));
      setProgress(initialProgress());
      setElapsed(0);
      const onEvent = (event: SearchEvent) => {
        setSearch((s) => applySearchEvent(s ?? initialSearch([]), event));
        // Each run's clock starts with it, so that its time left and its whole time agree.
        if (event.event === "trial_started") {
          setProgress(initialProgress());
          setStartedAt(Date.now());
          setElapsed(0);
        }
        const training = trainingEventOf(event);
        // A trial's own end came before the search's: the search's adds nothing to it.
        if (training) setProgress((p) => (p && isOver(p.status) && event.event !== "training" ? p : applyEvent(p ?? initialProgress(), training)));
      };
      try {
        const started = await start(onEvent);
        setSearch((s) => ({ ...(s ?? initialSearch(started.trials)), trials: started.trials }));
        setSearchJob(started.job_id);
        setStartedAt(Date.now());
        return true;
      } catch (e) {
        setSearch(null);
        setProgress(null);
        fail(e);
        return false;
      }
    },
    [fail],
  );

  const cancel = useCallback(() => {
    const id = searchJob ?? job?.job_id;
    if (id == null) return;
    setCancelling(true);
    trainingApi.cancelTraining(id).catch(fail);
  }, [job, searchJob, fail]);

  const exportModel = useCallback(() => {
    if (!job) return;
    libraryApi.exportModel(job.model_id).then((to) => to && setExportedTo(to), fail);
  }, [job, fail]);

  return { progress, job, elapsedSeconds, cancelling, report, exportedTo, search, running, follow, followSearch, cancel, exportModel };
}
