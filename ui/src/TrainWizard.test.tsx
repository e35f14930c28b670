// @vitest-environment jsdom
// The Train section's steps over the app's state: what the engine computes (the recipe check,
// the model's folder) is shown as the engine sends it, never worked out again by the page.
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DataChoiceState } from "./hooks/useDataChoice";
import type { TrainingRun } from "./hooks/useTrainingRun";
import { csvPreview, appInfo as info, defaultRecipe } from "./testFixtures";
import { i18n } from "./i18n";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (command: string, args?: unknown) => invoke(command, args),
  Channel: class {},
}));
vi.mock("./components/Chart", () => ({ Chart: () => null }));

import { TrainWizard, type TrainWizardProps } from "./TrainWizard";

const data: DataChoiceState = {
  preview: null,
  validationFile: null,
  summary: null,
  busy: false,
  loadFile: vi.fn(async () => {}),
  setValidationFile: vi.fn(),
};

const idleRun: TrainingRun = {
  progress: null,
  job: null,
  elapsedSeconds: 0,
  cancelling: false,
  report: null,
  exportedTo: null,
  search: null,
  running: false,
  follow: vi.fn(async () => true),
  followSearch: vi.fn(async () => true),
  cancel: vi.fn(),
  exportModel: vi.fn(),
};

function renderWizard(overrides: Partial<TrainWizardProps>) {
  const props: TrainWizardProps = {
    info,
    step: "Data",
    onStep: vi.fn(),
    recipe: defaultRecipe,
    onRecipe: vi.fn(),
    data,
    run: idleRun,
    onStart: vi.fn(),
    onStartSearch: vi.fn(),
    onCompare: vi.fn(),
    fail: vi.fn(),
    ...overrides,
  };
  render(<TrainWizard {...props} />);
  return props;
}

beforeEach(() => {
  invoke.mockReset();
  invoke.mockImplementation(async (command: string) =>
    // 7 rows per correction: not 16 × 2, so the number can only come from the engine.
    command === "check_recipe" ? { problems: [], effective_batch_size: 7 } : null,
  );
});
afterEach(cleanup);

describe("train wizard", () => {
  it("opens the bundled sample from the data step, with the division names in the page's language", async () => {
    renderWizard({ step: "Data" });
    fireEvent.click(screen.getByTestId("use-sample"));
    expect(data.loadFile).toHaveBeenLastCalledWith("/app/sample/nace_fr.csv", null, "/app/sample/nace_names_en.csv");
    cleanup();
    await act(() => i18n.changeLanguage("fr"));
    renderWizard({ step: "Data" });
    fireEvent.click(screen.getByTestId("use-sample"));
    expect(data.loadFile).toHaveBeenLastCalledWith("/app/sample/nace_fr.csv", null, "/app/sample/nace_names_fr.csv");
    await act(() => i18n.changeLanguage("en"));
  });

  it("keeps the text out of the 0/1 label columns, which one label per row sets aside", () => {
    const preview = { ...csvPreview, headers: ["libelle", "sport", "culture", "note"], rows: [["foot", "1", "0", "a"]] };
    const recipe = { ...defaultRecipe, text_column: "libelle", label_column: "note", label_columns: ["sport", "culture", "note"] };
    const p = renderWizard({ step: "Data", data: { ...data, preview }, recipe });
    fireEvent.change(screen.getByTestId("text-column"), { target: { value: "note" } });
    expect(p.onRecipe).toHaveBeenLastCalledWith(expect.objectContaining({ text_column: "note", label_columns: ["sport", "culture"] }));
    fireEvent.change(screen.getByTestId("label-separator"), { target: { value: "" } });
    expect(p.onRecipe).toHaveBeenLastCalledWith(expect.objectContaining({ label_separator: null, label_columns: [] }));
  });

  it("shows the engine's check of the recipe in the settings step", async () => {
    const props = renderWizard({ step: "Settings" });
    await waitFor(() => expect(screen.getByTestId("effective-batch").textContent).toContain("= 7 rows"));
    expect(invoke).toHaveBeenCalledWith("check_recipe", { recipe: defaultRecipe });
    fireEvent.click(screen.getByTestId("start-training"));
    expect(props.onStart).toHaveBeenCalled();
  });

  it("times the run before it starts, and points to a faster model when it is long", async () => {
    const preview = csvPreview;
    // Figures no page code could make up: they come from the engine's estimate only.
    const estimate = {
      seconds: 13_200,
      training_seconds: 12_950,
      evaluation_seconds: 190,
      other_seconds: 60,
      checkpoint_seconds: 0,
      backend: "CPU",
      measured_steps: 3,
      faster_models: [{ model: "sentence-transformers/all-MiniLM-L6-v2", seconds: 1_700 }],
    };
    invoke.mockImplementation(async (command: string) =>
      command === "check_recipe" ? { problems: [], effective_batch_size: 32 } : command === "estimate_training" ? estimate : null,
    );
    const minilm = {
      id: "sentence-transformers/all-MiniLM-L6-v2",
      architecture: "BERT",
      summary: { id: "model.minilm", params: {}, text: "English, 6 small layers: 5× faster to train, for quick trials and slow computers." },
      parameters_millions: 23,
      download_mb: 91,
      recommended: false,
    };
    renderWizard({ step: "Settings", data: { ...data, preview }, info: { ...info, suggested_models: [minilm] } });
    await waitFor(() => expect(screen.getByTestId("long-run").textContent).toContain("3 h 40 min"), { timeout: 3000 });
    expect(screen.getByTestId("run-time").textContent).toContain("About 3 h 40 min on this computer (CPU): training 3 h 35 min");
    expect(screen.getByTestId("long-run").textContent).toContain("sentence-transformers/all-MiniLM-L6-v2: about 28 min 20 s");
    // What the faster model is for, from the suggestions the engine sent.
    expect(screen.getByTestId("long-run").textContent).toContain("English, 6 small layers");
    expect(invoke).toHaveBeenCalledWith("estimate_training", {
      choice: { train_csv: "/home/me/activites.csv", validation_csv: null, dialect: preview.dialect, recipe: defaultRecipe },
    });
  });

  it("says why there is no estimate when the model is not downloaded", async () => {
    const preview = { path: "/d/a.csv", dialect: { delimiter: ",", encoding: "utf8" }, headers: [], rows: [], guessed_text_column: null, guessed_label_column: null } as DataChoiceState["preview"];
    invoke.mockImplementation(async (command: string) => {
      if (command === "check_recipe") return { problems: [], effective_batch_size: 32 };
      if (command === "estimate_training") throw { kind: "model_not_found", message: "The model is not on this computer yet.", hint: null };
      return null;
    });
    renderWizard({ step: "Settings", data: { ...data, preview } });
    await waitFor(() => expect(screen.getByTestId("run-time").textContent).toContain("The time is measured once the model is on this computer: download it in the model step"), { timeout: 3000 });
    expect(screen.queryByTestId("long-run")).toBeNull();
  });
});
