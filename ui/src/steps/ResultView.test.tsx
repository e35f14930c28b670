// @vitest-environment jsdom
// The result of a run: the headline numbers in words, which epoch's model was kept, and the
// per-class table sortable by any column.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TrainingReport } from "../bindings/TrainingReport";
import { dataSummary } from "../testFixtures";

vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { ResultView } from "./ResultView";

afterEach(cleanup);

const perClass = (label: string, f1: number, support: number) => ({ label, precision: f1, recall: f1, f1, support });

const report: TrainingReport = {
  engine_version: "0.1.0",
  burn_version: "0.21.0",
  created_unix: 1_764_000_000,
  // The view reads only the epochs asked.
  recipe: { epochs: 4 } as TrainingReport["recipe"],
  base_model: "all-MiniLM-L6-v2",
  backend: "CPU",
  devices: ["cpu"],
  nodes: 1,
  data: dataSummary({
    train_file: "nace_fr.csv",
    classes: [
      { label: "01", train: 380, validation: 20 },
      { label: "10", train: 380, validation: 20 },
      { label: "62", train: 380, validation: 20 },
    ],
  }),

  plan: { micro_batches_per_epoch: 72, steps_per_epoch: 36, total_steps: 144, warmup_steps: 15 },
  parameters: 22_000_000,
  history: [],
  final_metrics: {
    loss: 0.8,
    accuracy: 0.75,
    macro_f1: 0.7,
    macro_precision: 0.72,
    macro_recall: 0.7,
    top1_accuracy: 0.75,
    top2_accuracy: 0.9,
    per_class: [perClass("01", 0.9, 20), perClass("10", 0.5, 20), perClass("62", 0.7, 20)],
    confusion: [[18, 1, 1], [5, 10, 5], [2, 4, 14]],
    examples: 60,
  },
  best_epoch: 3,
  wall_seconds: 125,
};

function firstColumn() {
  return [...screen.getByTestId("per-class-table").querySelectorAll("tbody tr")].map((r) => r.firstElementChild?.textContent);
}

describe("result view", () => {
  it("says how good the model is, on what, and which epoch was kept", () => {
    render(<ResultView report={report} modelFolder="/library/nace-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={async () => {}} />);
    expect(screen.getByTestId("final-accuracy").textContent).toBe("75.0%");
    const view = screen.getByTestId("result-view").textContent ?? "";
    expect(view).toContain("fine-tuned on 1,140 rows, 3 classes; measured on 60 validation rows; kept the model of epoch 3");
    expect(view).toContain("/library/nace-1");
  });

  it("names the devices of a run split over several, and none for one device", () => {
    const split: TrainingReport = { ...report, backend: "NVIDIA GPU (CUDA)", devices: ["cuda:0", "cuda:1"], nodes: 2 };
    render(<ResultView report={split} modelFolder="/library/nace-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={async () => {}} />);
    expect(screen.getByTestId("devices-used").textContent).toBe("devices: cuda:0, cuda:1 on each of 2 machines");
    cleanup();
    render(<ResultView report={report} modelFolder="/library/nace-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={async () => {}} />);
    expect(screen.queryByTestId("devices-used")).toBeNull();
  });

  it("says when early stopping ended the run before its last epoch", () => {
    const stopped: TrainingReport = {
      ...report,
      history: [{ event: "stopped_early", step: 108, epoch: 3, metric: "loss", evaluations: 1, threshold: 0 }],
    };
    render(<ResultView report={stopped} modelFolder="/library/nace-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={async () => {}} />);
    const view = screen.getByTestId("result-view").textContent ?? "";
    expect(view).toContain("validation rows; stopped early at epoch 3 of 4; kept the model of epoch 3.");
  });

  it("sorts the per-class table by F1 first, by label on a click", () => {
    render(<ResultView report={report} modelFolder="/library/nace-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={async () => {}} />);
    expect(firstColumn()).toEqual(["01", "62", "10"]);
    fireEvent.click(screen.getByText("Label"));
    expect(firstColumn()).toEqual(["01", "10", "62"]);
    fireEvent.click(screen.getByText("Support"));
    expect(firstColumn()).toHaveLength(3);
  });

  it("names each class beside its code when the run had names", () => {
    const named = { ...report, data: { ...report.data, label_names: { "01": "Culture et production animale", "62": "Programmation informatique" } } };
    render(<ResultView report={named} modelFolder="/library/nace-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={async () => {}} />);
    expect(firstColumn()).toEqual(["01 — Culture et production animale", "62 — Programmation informatique", "10"]);
  });

  it("shows a multi-label model's scores and keeps the best threshold of its validation rows in one click", async () => {
    const point = (threshold: number, micro_f1: number) => ({ threshold, micro_f1, macro_f1: micro_f1 - 0.1, subset_accuracy: 0.3, hamming_loss: 0.1 });
    const multi: TrainingReport = {
      ...report,
      data: { ...report.data, multi_label: true },
      final_metrics: {
        ...report.final_metrics!,
        accuracy: 0.3,
        confusion: [],
        multi_label: {
          threshold: 0.5,
          micro_f1: 0.55,
          micro_precision: 0.6,
          micro_recall: 0.5,
          hamming_loss: 0.1,
          true_labels_per_row: 1.4,
          predicted_labels_per_row: 1.1,
          curve: [point(0.35, 0.5), point(0.4, 0.62), point(0.5, 0.55)],
        },
      },
    };
    const onThreshold = vi.fn(async () => {});
    render(<ResultView report={multi} modelFolder="/library/tags-1" exportedTo={null} onExport={() => {}} onTrainAgain={() => {}} onThreshold={onThreshold} />);
    const view = screen.getByTestId("result-view").textContent ?? "";
    expect(view).toContain("Every label right");
    expect(view).toContain("Micro F1");
    expect(screen.getByTestId("threshold-choice").textContent).toContain(
      "The model gives a label from a score of 0.5 (micro F1 55.0% on the validation rows). On the same rows, 0.4 gives 62.0%.",
    );
    await act(async () => fireEvent.click(screen.getByTestId("use-threshold")));
    expect(onThreshold).toHaveBeenCalledWith(0.4);
    expect(screen.getByTestId("threshold-choice").textContent).toContain("from a score of 0.4 (micro F1 62.0%");
    expect(screen.queryByTestId("use-threshold")).toBeNull();
  });
});
