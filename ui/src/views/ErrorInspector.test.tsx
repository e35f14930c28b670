// @vitest-environment jsdom
// The error inspector lists the rows a model got wrong and narrows them by true class; labels
// the model never saw are named.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { Explanation } from "../bindings/Explanation";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CorrectedRow } from "../bindings/CorrectedRow";
import type { EvaluationReport } from "../bindings/EvaluationReport";
import { libraryModel } from "../testFixtures";

vi.mock("../components/Chart", () => ({ Chart: () => null }));
const api = vi.hoisted(() => ({ explainText: vi.fn() }));
vi.mock("../api/classify", () => ({ classifyApi: api }));
const kept = vi.hoisted(() => ({ list: vi.fn(), correct: vi.fn(), undo: vi.fn(), exportCopy: vi.fn() }));
vi.mock("../api/corrections", () => ({ correctionsApi: kept }));

import { ErrorInspector } from "./ErrorInspector";

beforeEach(() => kept.list.mockResolvedValue({ rows: [] }));
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});


const model = { ...libraryModel, classes: 2 };

const classMetrics = (label: string) => ({ label, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });

const report: EvaluationReport = {
  model: "nace-1",
  model_folder: "/library/nace-1",
  input: "/data/test.csv",
  text_column: "text",
  label_column: "label",
  backend: "CPU",
  rows_read: 5,
  evaluated_rows: 5,
  skipped_empty_text: 0,
  skipped_empty_label: 0,
  unseen_labels: [{ label: "99", rows: 1 }],
  metrics: {
    loss: 1.2,
    accuracy: 0.4,
    macro_f1: 0.33,
    macro_precision: 0.3,
    macro_recall: 0.3,
    top1_accuracy: 0.4,
    top2_accuracy: 0.8,
    per_class: [classMetrics("01"), classMetrics("10")],
    confusion: [[1, 1], [1, 1]],
    examples: 5,
  },
  misclassified_total: 3,
  misclassified: [
    { line: 2, text: "culture de blé", true_label: "01", predicted: [{ label: "10", score: 0.7 }], label_score: 0.3 },
    { line: 4, text: "boulangerie", true_label: "10", predicted: [{ label: "01", score: 0.6 }], label_score: 0.05 },
    { line: 6, text: "autre activité", true_label: "99", predicted: [{ label: "01", score: 0.5 }] },
  ],
  rows_fingerprint: "0-5",
  seconds: 1,
  engine_version: "0.1.0",
  label_names: {},
};

describe("error inspector", () => {
  it("lists the misclassified rows and names labels the model never saw", () => {
    render(<ErrorInspector model={model} report={report} onClose={() => {}} />);
    expect(screen.getByText(/on test\.csv/)).toBeTruthy();
    expect(screen.getByTestId("error-inspector").textContent).toContain("Labels the model never saw (counted as errors): 99 (1)");
    const table = screen.getByTestId("misclassified-table");
    expect(table.querySelectorAll("tbody tr")).toHaveLength(3);
    expect(table.textContent).toContain("10 (70%)");
  });

  it("narrows the rows to one true class", () => {
    render(<ErrorInspector model={model} report={report} onClose={() => {}} />);
    fireEvent.change(screen.getByTestId("filter-true"), { target: { value: "10" } });
    const rows = screen.getByTestId("misclassified-table").querySelectorAll("tbody tr");
    expect(rows).toHaveLength(1);
    expect(rows[0].textContent).toContain("boulangerie");
  });

  it("names the true and the predicted class when the model has names", () => {
    const named: EvaluationReport = {
      ...report,
      misclassified: [{ line: 2, text: "culture de blé", true_label: "01", predicted: [{ label: "10", score: 0.7 }, { label: "01", score: 0.2 }] }],
      label_names: { "01": "Culture et production animale", "10": "Industries alimentaires" },
    };
    render(<ErrorInspector model={model} report={named} onClose={() => {}} />);
    const cells = [...screen.getByTestId("misclassified-table").querySelectorAll("tbody td")];
    expect(cells[2].textContent).toBe("01 — Culture et production animale");
    // The first prediction named, the others by code (all named in the tooltip).
    expect(cells[3].textContent).toBe("10 — Industries alimentaires (70%), 01 (20%)");
    expect(cells[3].getAttribute("title")).toBe("10 — Industries alimentaires (70%), 01 — Culture et production animale (20%)");
    const filter = screen.getByTestId("filter-true") as HTMLSelectElement;
    expect([...filter.options].map((o) => o.textContent)).toEqual(["all", "01 — Culture et production animale", "10 — Industries alimentaires"]);
  });

  it("says which labels a multi-label model missed and which it added", () => {
    const multi: EvaluationReport = {
      ...report,
      unseen_labels: [],
      metrics: { ...report.metrics, confusion: [] },
      misclassified: [
        { line: 3, text: "pain et vente", true_label: "10|47", predicted: [{ label: "10", score: 0.8 }, { label: "01", score: 0.6 }], missed_labels: ["47"], extra_labels: ["01"] },
        { line: 5, text: "culture", true_label: "01", predicted: [], missed_labels: ["01"], extra_labels: [] },
      ],
      label_names: { "47": "Commerce de détail" },
    };
    render(<ErrorInspector model={model} report={multi} onClose={() => {}} />);
    const rows = screen.getByTestId("misclassified-table").querySelectorAll("tbody tr");
    expect(rows[0].textContent).toContain("missed: 47 — Commerce de détail; extra: 01");
    expect(rows[1].textContent).toContain("missed: 01; extra: none");
  });

  it("shows which words pushed a wrong row towards its true and its predicted label", async () => {
    const explained = (label: string, contribution: number): Explanation => ({
      label,
      method: "integrated_gradients",
      steps: 32,
      words: [{ word: "boulangerie", space_before: "", contribution }],
      score: 1,
      baseline_score: 0,
      completeness_gap: 0,
      cut_words: 0,
      seconds: 0.1,
    });
    api.explainText.mockResolvedValue([explained("10", -0.4), explained("01", 0.8)]);
    render(<ErrorInspector model={model} report={report} onClose={() => {}} />);
    fireEvent.click(screen.getByTestId("why-4"));
    expect(api.explainText).toHaveBeenCalledWith(model.id, "boulangerie", ["10", "01"]);
    const first = await screen.findByTestId("row-explained-0");
    const panel = screen.getByTestId("row-explanation");
    expect(panel.textContent).toContain("Why line 4 went wrong");
    expect(panel.textContent).toContain("Towards the true label, 10");
    expect(panel.textContent).toContain("Towards the predicted label, 01");
    expect((first.querySelector(".word") as HTMLElement).title).toBe("-0.400 to the score of 10");
    expect((screen.getByTestId("row-explained-1").querySelector(".word") as HTMLElement).title).toBe("+0.800 to the score of 01");
  });

  it("corrects a row's label or leaves it out, undoes it, and exports a corrected copy", async () => {
    const rows: CorrectedRow[] = [];
    const answer = () => Promise.resolve({ rows: [...rows] });
    kept.correct.mockImplementation((_m: string, row: CorrectedRow) => (rows.push(row), answer()));
    kept.undo.mockImplementation((_m: string, _f: string, line: number) => (rows.splice(rows.findIndex((r) => r.line === line), 1), answer()));
    kept.exportCopy.mockResolvedValue({ path: "/data/test_corrected.csv", copy: { rows_written: 4, relabelled: 1, excluded: 1 } });
    render(<ErrorInspector model={model} report={report} onClose={() => {}} />);
    expect((await screen.findByText(/your corrections are kept beside the model/)).textContent).toContain("never in your file");

    fireEvent.change(screen.getByTestId("correct-2"), { target: { value: "10" } });
    expect((await screen.findByTestId("corrected-2")).textContent).toContain("now 10");
    expect(kept.correct).toHaveBeenCalledWith(model.id, { file: "/data/test.csv", line: 2, text: "culture de blé", label: "01", correction: { kind: "relabel", label: "10" } });
    const choice = screen.getByTestId("correct-4") as HTMLSelectElement;
    expect(Array.from(choice.options).map((o) => o.textContent)).toEqual(["Correct…", "01", "Leave this row out"]);
    fireEvent.change(choice, { target: { value: choice.options[2].value } });
    expect((await screen.findByTestId("corrected-4")).textContent).toContain("left out");
    expect(screen.getByTestId("corrections").textContent).toContain("Your corrections (2)");

    fireEvent.click(screen.getByTestId("undo-2"));
    await screen.findByTestId("correct-2");
    expect(kept.undo).toHaveBeenCalledWith(model.id, "/data/test.csv", 2);
    expect(screen.getByTestId("corrections").textContent).toContain("Your correction (1)");

    fireEvent.click(screen.getByTestId("export-corrected"));
    expect(kept.exportCopy).toHaveBeenCalledWith(model.id, "/data/test.csv", "text", "label");
    expect((await screen.findByTestId("exported")).textContent).toBe("Written to /data/test_corrected.csv: 4 rows, 1 relabelled, 1 left out.");
  });

  it("trains again with the corrections of a model trained here, once no other run trains", async () => {
    kept.list.mockResolvedValue({ rows: [{ file: "/data/test.csv", line: 2, text: "culture de blé", label: "01", correction: { kind: "exclude" } }] });
    const again = vi.fn().mockResolvedValue(undefined);
    const { rerender } = render(<ErrorInspector model={{ ...model, trained_here: true }} report={report} onClose={() => {}} onTrainAgain={again} trainingNow={true} />);
    const button = (await screen.findByTestId("train-again-corrected")) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.title).toBe("Another run is training: wait for it to finish.");
    rerender(<ErrorInspector model={{ ...model, trained_here: true }} report={report} onClose={() => {}} onTrainAgain={again} trainingNow={false} />);
    fireEvent.click(screen.getByTestId("train-again-corrected"));
    expect(again).toHaveBeenCalledWith(model.id);
    // Refused (the corrections are to a test file): said beside the button.
    again.mockRejectedValueOnce({ kind: "invalid", message: "None of the corrections is to \"nace.csv\"." });
    await waitFor(() => expect((screen.getByTestId("train-again-corrected") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId("train-again-corrected"));
    expect(await screen.findByText("None of the corrections is to \"nace.csv\".")).toBeTruthy();
    cleanup();
    render(<ErrorInspector model={{ ...model, trained_here: false }} report={report} onClose={() => {}} onTrainAgain={again} />);
    await screen.findByTestId("corrections");
    expect(screen.queryByTestId("train-again-corrected")).toBeNull();
  });

  it("puts first the rows whose label the model doubts most", () => {
    render(<ErrorInspector model={model} report={report} onClose={() => {}} />);
    const lines = () => Array.from(screen.getByTestId("misclassified-table").querySelectorAll("tbody tr")).map((tr) => tr.querySelector("td")?.firstChild?.textContent);
    expect(lines()).toEqual(["2", "4", "6"]);
    fireEvent.click(screen.getByTestId("order-doubt"));
    expect(lines()).toEqual(["4", "2", "6"]);
  });
});
