// @vitest-environment jsdom
// The data step: a file or the sample first; then the detected separator and columns can be
// corrected, and the next step waits for the engine's check of the data.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CsvPreview } from "../bindings/CsvPreview";
import { dataSummary } from "../testFixtures";

vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { DataStep, type DataStepProps } from "./DataStep";

afterEach(cleanup);

const preview: CsvPreview = {
  path: "/home/me/activites.csv",
  dialect: { delimiter: ",", encoding: "utf8" },
  headers: ["id", "libelle", "code"],
  rows: [["1", "culture de blé", "01"], ["2", "boulangerie", "10"]],
  guessed_text_column: "libelle",
  guessed_label_column: "code",
};

const summary = dataSummary({
  warnings: ["2 class(es) have fewer than 5 training examples; the model will hardly learn them: 03, 99."],
});

function renderStep(overrides: Partial<DataStepProps> = {}) {
  const props: DataStepProps = {
    preview,
    textColumn: "libelle",
    labelColumn: "code",
    validationFile: null,
    summary: null,
    busy: false,
    onChooseFile: vi.fn(),
    onUseSample: vi.fn(),
    onDialect: vi.fn(),
    onColumns: vi.fn(),
    onChooseValidation: vi.fn(),
    onClearValidation: vi.fn(),
    onNext: vi.fn(),
    ...overrides,
  };
  render(<DataStep {...props} />);
  return props;
}

describe("data step", () => {
  it("starts with a file or the sample", () => {
    const p = renderStep({ preview: null });
    fireEvent.click(screen.getByTestId("use-sample"));
    expect(p.onUseSample).toHaveBeenCalledOnce();
    expect(screen.queryByTestId("preview-table")).toBeNull();
  });

  it("lets the detected separator and columns be corrected", () => {
    const p = renderStep();
    fireEvent.change(screen.getByTestId("delimiter"), { target: { value: ";" } });
    expect(p.onDialect).toHaveBeenCalledWith({ delimiter: ";", encoding: "utf8" });
    fireEvent.change(screen.getByTestId("label-column"), { target: { value: "id" } });
    expect(p.onColumns).toHaveBeenCalledWith("libelle", "id");
    expect(screen.getByTestId("preview-table").querySelectorAll("tbody tr")).toHaveLength(2);
  });

  it("waits for the data check, then shows its counts and warnings", () => {
    renderStep();
    expect((screen.getByTestId("data-next") as HTMLButtonElement).disabled).toBe(true);
    cleanup();
    renderStep({ summary });
    expect((screen.getByTestId("data-next") as HTMLButtonElement).disabled).toBe(false);
    const stats = screen.getByTestId("data-summary").textContent ?? "";
    expect(stats).toContain("1,140 for training");
    expect(stats).toContain("60 for validation (held out)");
    expect(screen.getByText(/fewer than 5 training examples/)).toBeTruthy();
  });
});
