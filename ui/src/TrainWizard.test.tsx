// @vitest-environment jsdom
// The Train section's steps over the app's state: what the engine computes (the recipe check,
// the model's folder) is shown as the engine sends it, never worked out again by the page.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DataChoiceState } from "./hooks/useDataChoice";
import type { TrainingRun } from "./hooks/useTrainingRun";
import { appInfo as info, defaultRecipe } from "./testFixtures";

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
  running: false,
  follow: vi.fn(async () => true),
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
  it("opens the bundled sample from the data step", () => {
    renderWizard({ step: "Data" });
    fireEvent.click(screen.getByTestId("use-sample"));
    expect(data.loadFile).toHaveBeenCalledWith("/app/sample/nace_fr.csv");
  });

  it("shows the engine's check of the recipe in the settings step", async () => {
    const props = renderWizard({ step: "Settings" });
    await waitFor(() => expect(screen.getByTestId("effective-batch").textContent).toContain("= 7 rows"));
    expect(invoke).toHaveBeenCalledWith("check_recipe", { recipe: defaultRecipe });
    fireEvent.click(screen.getByTestId("start-training"));
    expect(props.onStart).toHaveBeenCalled();
  });
});
