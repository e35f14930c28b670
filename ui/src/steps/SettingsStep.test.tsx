// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultRecipe as defaults } from "../testFixtures";
import { SettingsStep } from "./SettingsStep";
import { words } from "../testFixtures";

afterEach(cleanup);


function renderStep(overrides: Partial<Parameters<typeof SettingsStep>[0]> = {}) {
  const props = {
    recipe: defaults,
    defaults,
    check: { problems: [], effective_batch_size: 32 },
    estimate: null,
    suggestions: [],
    busy: false,
    onRecipe: vi.fn(),
    onSave: vi.fn(),
    onLoad: vi.fn(),
    onBack: vi.fn(),
    onStart: vi.fn(),
    onStartSearch: vi.fn(),
    ...overrides,
  };
  render(<SettingsStep {...props} />);
  return props;
}

describe("settings step", () => {
  it("shows the basics with their explanation and default, the rest on request", () => {
    renderStep();
    expect(screen.getByText("Learning rate")).toBeTruthy();
    expect(screen.getByText("Default: 5e-5.")).toBeTruthy();
    expect(screen.queryByText("Weight decay")).toBeNull();
    fireEvent.click(screen.getByTestId("advanced"));
    expect(screen.getByText("Weight decay")).toBeTruthy();
    expect(screen.getByTestId("effective-batch").textContent).toContain("= 32 rows");
  });

  it("passes typed numbers on and refuses text, with a reason", () => {
    const props = renderStep();
    fireEvent.change(screen.getByTestId("field-epochs"), { target: { value: "2" } });
    expect(props.onRecipe).toHaveBeenCalledWith({ ...defaults, epochs: 2 });
    fireEvent.change(screen.getByTestId("field-epochs"), { target: { value: "two" } });
    expect(screen.getByTestId("problem-epochs").textContent).toBe("Type a whole number.");
    expect((screen.getByTestId("start-training") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the engine's reason beside the field and blocks the start", () => {
    renderStep({
      check: { problems: [{ field: "learning_rate", message: words("learning_rate must be above 0 and below 1") }], effective_batch_size: 32 },
    });
    expect(screen.getByTestId("problem-learning_rate").textContent).toContain("above 0");
    expect((screen.getByTestId("start-training") as HTMLButtonElement).disabled).toBe(true);
  });

  it("keeps a recipe's file of class weights selected, as its path, until another choice", () => {
    const recipe = { ...defaults, class_weights: { file: "/data/weights.csv" } };
    const props = renderStep({ recipe });
    fireEvent.click(screen.getByTestId("advanced"));
    const select = screen.getByTestId("field-class_weights") as HTMLSelectElement;
    expect(select.selectedOptions[0].textContent).toBe("/data/weights.csv");
    fireEvent.change(select, { target: { value: "balanced" } });
    expect(props.onRecipe).toHaveBeenCalledWith({ ...recipe, class_weights: "balanced" });
  });
});
