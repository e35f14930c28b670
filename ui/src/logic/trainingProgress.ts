// Folds the training events the engine sends (one at a time) into what the training view
// draws. Pure: the same events always give the same state, so it is tested without a window.
import type { DataSummary } from "../bindings/DataSummary";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Message } from "../bindings/Message";
import type { Metrics } from "../bindings/Metrics";
import type { StepPlan } from "../bindings/StepPlan";
import type { TrainingEvent } from "../bindings/TrainingEvent";

export type TrainingStatus = "starting" | "downloading" | "running" | "finished" | "failed" | "cancelled";

/** A point of a curve: x (optimizer step or epoch) and y. */
export type Point = [number, number];

export interface EvaluationPoint {
  step: number;
  epoch: number;
  accuracy: number;
  macroF1: number;
  top2: number;
  /** Multi-label runs only. */
  microF1: number | null;
  loss: number | null;
}

export interface TrainingProgress {
  status: TrainingStatus;
  model: string | null;
  backend: string | null;
  backendReason: Message | null;
  plan: StepPlan | null;
  data: DataSummary | null;
  parameters: number | null;
  download: { file: string; done: number; total: number } | null;
  /** Mean training loss between progress updates, by step. */
  loss: Point[];
  /** Losses logged per the recipe's logging strategy, by step. */
  loggedLoss: Point[];
  learningRate: Point[];
  samplesPerSecond: Point[];
  evaluations: EvaluationPoint[];
  step: number;
  totalSteps: number;
  epoch: number;
  etaSeconds: number | null;
  warnings: Message[];
  error: ErrorReport | null;
  finalMetrics: Metrics | null;
  seconds: number | null;
  /** Epochs done before this run was resumed from its checkpoint (null: not resumed). */
  resumedAfterEpoch: number | null;
  /** A checkpoint exists: a stopped run can be resumed from the Models page. */
  checkpointed: boolean;
  /** Early stopping ended the run: where, and why. */
  stoppedEarly: StoppedEarly | null;
}

export type StoppedEarly = Omit<Extract<TrainingEvent, { event: "stopped_early" }>, "event">;

export function initialProgress(): TrainingProgress {
  return {
    status: "starting",
    model: null,
    backend: null,
    backendReason: null,
    plan: null,
    data: null,
    parameters: null,
    download: null,
    loss: [],
    loggedLoss: [],
    learningRate: [],
    samplesPerSecond: [],
    evaluations: [],
    step: 0,
    totalSteps: 0,
    epoch: 0,
    etaSeconds: null,
    warnings: [],
    error: null,
    finalMetrics: null,
    seconds: null,
    resumedAfterEpoch: null,
    checkpointed: false,
    stoppedEarly: null,
  };
}

export function applyEvent(s: TrainingProgress, e: TrainingEvent): TrainingProgress {
  switch (e.event) {
    case "download":
      return {
        ...s,
        status: "downloading",
        download: {
          file: e.file,
          done: e.stage === "progress" ? e.bytes_done : e.stage === "finished" ? e.bytes_total : 0,
          total: e.bytes_total,
        },
      };
    case "started":
      return {
        ...s,
        status: "running",
        download: null,
        model: e.model,
        backend: e.backend,
        backendReason: e.backend_reason,
        plan: e.plan,
        data: e.data,
        parameters: e.parameters,
        totalSteps: e.plan.total_steps,
        warnings: [...s.warnings, ...e.data.warnings],
      };
    case "resumed":
      return { ...s, resumedAfterEpoch: e.epochs_done, step: e.step, checkpointed: true };
    case "step":
      return {
        ...s,
        step: e.step,
        totalSteps: e.total_steps,
        epoch: e.epoch,
        etaSeconds: e.eta_seconds,
        loss: [...s.loss, [e.step, e.loss]],
        learningRate: [...s.learningRate, [e.step, e.learning_rate]],
        samplesPerSecond: [...s.samplesPerSecond, [e.step, e.samples_per_second]],
      };
    case "log":
      return { ...s, loggedLoss: [...s.loggedLoss, [e.step, e.loss]] };
    case "evaluation":
      return {
        ...s,
        evaluations: [
          ...s.evaluations,
          {
            step: e.step,
            epoch: e.epoch,
            accuracy: e.metrics.accuracy,
            macroF1: e.metrics.macro_f1,
            top2: e.metrics.top2_accuracy,
            microF1: e.metrics.multi_label?.micro_f1 ?? null,
            loss: e.metrics.loss,
          },
        ],
      };
    case "stopped_early": {
      const { event: _, ...stop } = e;
      return { ...s, stoppedEarly: stop };
    }
    case "checkpoint_saved":
      return { ...s, checkpointed: true };
    case "epoch_finished":
      return s;
    case "warning":
      return { ...s, warnings: [...s.warnings, e.message] };
    case "finished":
      return {
        ...s,
        status: "finished",
        step: s.totalSteps || s.step,
        etaSeconds: 0,
        finalMetrics: e.metrics,
        seconds: e.seconds,
      };
    case "failed":
      return { ...s, status: "failed", error: e.error };
    case "cancelled":
      return { ...s, status: "cancelled" };
  }
}

export function applyEvents(state: TrainingProgress, events: TrainingEvent[]): TrainingProgress {
  return events.reduce(applyEvent, state);
}

export function isOver(status: TrainingStatus): boolean {
  return status === "finished" || status === "failed" || status === "cancelled";
}

/** Share of the optimizer steps done, 0 to 1. */
export function fractionDone(s: TrainingProgress): number {
  return s.totalSteps > 0 ? Math.min(1, s.step / s.totalSteps) : 0;
}
