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
  warnings: [
    {
      id: "data.rare_classes",
      params: { count: 2, classes: "03, 99" },
      text: "2 class(es) have fewer than 5 training examples; the model will hardly learn them: 03, 99.",
    },
  ],
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
    labelNamesColumn: null,
    labelNamesFile: null,
    namesAsLabels: false,
    sampleNames: null,
    onLabelNames: vi.fn(),
    onChooseNamesFile: vi.fn(),
    onNamesAsLabels: vi.fn(),
    classWeights: "none",
    onClassWeights: vi.fn(),
    labelSeparator: null,
    onLabelSeparator: vi.fn(),
    labelColumns: [],
    onLabelColumns: vi.fn(),
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
    // The engine's remark in the page's own words (its catalogue entry, with the plural).
    expect(screen.getByText("2 classes have fewer than 5 training examples; the model will hardly learn them: 03, 99.")).toBeTruthy();
  });

  it("takes the label names from another column, the sample's names or a file", () => {
    const p = renderStep({ sampleNames: { en: "/app/sample/nace_names_en.csv", fr: "/app/sample/nace_names_fr.csv" } });
    const select = screen.getByTestId("label-names") as HTMLSelectElement;
    const offered = [...select.options].map((o) => o.textContent);
    // Neither the text nor the label column can hold the names.
    expect(offered).toEqual([
      "None: show the codes",
      "Column “id”",
      "NACE division names, English (bundled)",
      "NACE division names, French (bundled)",
      "A names file (code, name)…",
    ]);
    expect(screen.queryByTestId("names-as-labels")).toBeNull();
    fireEvent.change(select, { target: { value: "column:id" } });
    expect(p.onLabelNames).toHaveBeenLastCalledWith("id", null);
    fireEvent.change(select, { target: { value: "file:/app/sample/nace_names_fr.csv" } });
    expect(p.onLabelNames).toHaveBeenLastCalledWith(null, "/app/sample/nace_names_fr.csv");
    fireEvent.change(select, { target: { value: "choose" } });
    expect(p.onChooseNamesFile).toHaveBeenCalledOnce();
  });

  it("shows a chosen names file, the names-as-labels switch and each class with its name", () => {
    const p = renderStep({
      labelNamesFile: "/home/me/divisions.csv",
      summary: dataSummary({
        classes: [
          { label: "01", train: 3, validation: 1 },
          { label: "10", train: 2, validation: 1 },
        ],
        label_names: { "01": "Culture et production animale" },
      }),
    });
    const select = screen.getByTestId("label-names") as HTMLSelectElement;
    expect(select.selectedOptions[0].textContent).toBe("divisions.csv");
    fireEvent.click(screen.getByTestId("names-as-labels"));
    expect(p.onNamesAsLabels).toHaveBeenCalledWith(true);
    const classes = screen.getByTestId("named-classes");
    expect(classes.textContent).toContain("01 — Culture et production animale");
    // A class without a name shows as its code.
    expect([...classes.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["01 — Culture et production animale", "10"]);
  });

  it("suggests balanced class weights, with why, when the classes are very uneven", () => {
    const uneven = dataSummary({
      classes: [
        { label: "01", train: 220, validation: 12 },
        { label: "10", train: 40, validation: 2 },
        { label: "99", train: 2, validation: 0 },
      ],
      label_names: { "99": "Activités extra-territoriales" },
    });
    const p = renderStep({ summary: uneven });
    expect(screen.getByTestId("class-balance").textContent).toContain(
      "The largest class, 01, has 110 times the training rows of the smallest, 99 — Activités extra-territoriales (220 rows against 2).",
    );
    expect(screen.getByTestId("suggest-balanced").textContent).toContain("tends to ignore the rare ones");
    fireEvent.click(screen.getByTestId("use-balanced"));
    expect(p.onClassWeights).toHaveBeenCalledWith("balanced");
    cleanup();

    renderStep({ summary: uneven, classWeights: "balanced" });
    expect(screen.queryByTestId("suggest-balanced")).toBeNull();
    expect(screen.getByTestId("balanced-on").textContent).toContain("Balanced class weights are on");
  });

  it("suggests nothing when the classes are of similar sizes", () => {
    const even = dataSummary({
      classes: [
        { label: "01", train: 30, validation: 2 },
        { label: "10", train: 20, validation: 1 },
      ],
    });
    renderStep({ summary: even });
    expect(screen.getByTestId("class-balance").textContent).toContain("1.5 times");
    expect(screen.queryByTestId("suggest-balanced")).toBeNull();
  });

  it("proposes reading label cells that hold a separator as several labels", () => {
    const multi: CsvPreview = {
      ...preview,
      rows: [["1", "culture et vente", "01|47"], ["2", "boulangerie", "10"], ["3", "pain et pâtisserie", "10|47"]],
    };
    const p = renderStep({ preview: multi });
    expect(screen.getByTestId("separator-proposal").textContent).toContain('Many label cells hold "|" (for example "01|47")');
    fireEvent.click(screen.getByTestId("use-separator"));
    expect(p.onLabelSeparator).toHaveBeenCalledWith("|");
    cleanup();

    // Chosen: no proposal; the choice offers no separator that is the file's own delimiter.
    renderStep({ preview: multi, labelSeparator: "|" });
    expect(screen.queryByTestId("separator-proposal")).toBeNull();
    const options = [...(screen.getByTestId("label-separator") as HTMLSelectElement).options].map((o) => o.value);
    expect(options).toEqual(["", "|", ";", "/", "columns"]);
    cleanup();

    // One label per row in every cell: nothing proposed.
    renderStep();
    expect(screen.queryByTestId("separator-proposal")).toBeNull();
  });

  it("reads several labels from one 0/1 column per label, ticked from the file's columns", () => {
    const columns: CsvPreview = {
      ...preview,
      headers: ["libelle", "culture", "boulangerie", "note"],
      rows: [["culture et pain", "1", "1", "a"], ["blé", "1", "", "b"], ["pain", "0", "yes", ""]],
      guessed_label_column: "note",
    };
    const p = renderStep({ preview: columns, labelColumn: "note" });
    fireEvent.change(screen.getByTestId("label-separator"), { target: { value: "columns" } });
    expect(p.onLabelColumns).toHaveBeenCalledWith(["culture", "boulangerie"]);
    cleanup();

    // Chosen: the label column gives way to the ticked columns, and no names are offered.
    const q = renderStep({ preview: columns, labelColumn: "note", labelColumns: ["culture", "boulangerie"] });
    expect(screen.queryByTestId("label-column")).toBeNull();
    expect(screen.queryByTestId("label-names")).toBeNull();
    expect((screen.getByTestId("label-separator") as HTMLSelectElement).value).toBe("columns");
    const boxes = screen.getByTestId("label-columns").querySelectorAll("input");
    expect([...boxes].map((b) => [b.parentElement!.textContent!.trim(), b.checked])).toEqual([
      ["culture", true],
      ["boulangerie", true],
      ["note", false],
    ]);
    fireEvent.click(boxes[2]);
    expect(q.onLabelColumns).toHaveBeenLastCalledWith(["culture", "boulangerie", "note"]);
    fireEvent.click(boxes[0]);
    expect(q.onLabelColumns).toHaveBeenLastCalledWith(["boulangerie"]);
    const heads = [...screen.getByTestId("preview-table").querySelectorAll("th")].map((th) => th.className);
    expect(heads).toEqual(["is-text", "is-label", "is-label", ""]);
  });

  it("shows no class-weight suggestion for several labels per row", () => {
    const uneven = dataSummary({
      multi_label: true,
      classes: [
        { label: "01", train: 220, validation: 12 },
        { label: "99", train: 2, validation: 1 },
      ],
    });
    renderStep({ summary: uneven, labelSeparator: "|" });
    expect(screen.queryByTestId("class-balance")).toBeNull();
  });
});
