// @vitest-environment jsdom
// The classified file's preview: a row's predicted label corrected (or the row left out) is
// kept beside the model under the line the row starts on in the classified file, and a
// corrected copy of that file is exported with its predicted-label column as the label.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PredictionSummary } from "../bindings/PredictionSummary";

const kept = vi.hoisted(() => ({ list: vi.fn(), correct: vi.fn(), undo: vi.fn(), exportCopy: vi.fn() }));
vi.mock("../api/corrections", () => ({ correctionsApi: kept }));

import { ClassifiedPreview } from "./ClassifiedPreview";

const output = "/home/me/activites_classified.csv";
const summary: PredictionSummary = {
  input: "/home/me/activites.csv",
  output,
  text_column: "libelle",
  rows: 3,
  empty_texts: 1,
  label_names: { "01": "Culture", "10": "Industries alimentaires" },
  predicted: [{ label: "01", rows: 1 }, { label: "10", rows: 1 }],
  header: ["id", "libelle", "predicted_label", "score", "label_2", "score_2"],
  // The first text spans two lines of the file: the second row starts on line 4.
  first_rows: [
    ["1", "culture de blé\net d'orge", "10", "0.61", "01", "0.39"],
    ["2", "boulangerie", "10", "0.93", "01", "0.07"],
    ["3", "", "", "", "", ""],
  ],
  first_lines: [2, 4, 5],
  label_column: 2,
  score_column: 3,
  seconds: 1,
  rows_per_second: 3,
};

beforeEach(() => {
  kept.list.mockResolvedValue({ rows: [] });
  kept.correct.mockImplementation(async (_model: string, row: unknown) => ({ rows: [row] }));
  kept.exportCopy.mockResolvedValue({ path: "/home/me/activites_classified_corrected.csv", copy: { rows_written: 3, relabelled: 1, excluded: 0 } });
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("ClassifiedPreview", () => {
  it("keeps a corrected prediction under its line in the classified file and exports a corrected copy", async () => {
    render(<ClassifiedPreview summary={summary} file={output} modelId="nace-1" correctable threshold={0.5} />);
    await waitFor(() => expect(kept.list).toHaveBeenCalledWith("nace-1", output));
    // A row without a text has no prediction to correct.
    expect(screen.queryByTestId("correct-5")).toBeNull();
    const choices = [...screen.getByTestId("correct-2").querySelectorAll("option")].map((o) => o.textContent);
    expect(choices).toEqual(["Correct…", "01 — Culture", "Leave this row out"]);
    fireEvent.change(screen.getByTestId("correct-2"), { target: { value: "01" } });
    await waitFor(() => expect(screen.getByTestId("corrected-2").textContent).toContain("now 01 — Culture"));
    expect(kept.correct).toHaveBeenCalledWith("nace-1", {
      file: output,
      line: 2,
      text: "culture de blé\net d'orge",
      label: "10",
      correction: { kind: "relabel", label: "01" },
    });
    fireEvent.click(screen.getByTestId("export-corrected"));
    await waitFor(() => expect(screen.getByTestId("exported").textContent).toContain("activites_classified_corrected.csv"));
    expect(kept.exportCopy).toHaveBeenCalledWith("nace-1", output, "libelle", "predicted_label");
  });

  it("offers no corrections for a multi-label model's predictions", async () => {
    render(<ClassifiedPreview summary={summary} file={output} modelId="nace-1" correctable={false} threshold={0.5} />);
    expect(screen.queryByTestId("correct-2")).toBeNull();
    expect(screen.queryByTestId("export-corrected")).toBeNull();
  });
});
