// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Recipe } from "../bindings/Recipe";
import { SettingsStep } from "./SettingsStep";

afterEach(cleanup);

const defaults: Recipe = {
  model: "bert-base-multilingual-uncased",
  text_column: "text",
  label_column: "label",
  epochs: 4,
  learning_rate: 5e-5,
  scheduler: "linear",
  train_batch_size: 16,
  eval_batch_size: 32,
  gradient_accumulation_steps: 2,
  group_by_length: true,
  weight_decay: 0.01,
  warmup_ratio: 0.1,
  max_seq_len: 256,
  eval_strategy: "epoch",
  eval_steps: 500,
  logging_strategy: "epoch",
  logging_steps: 500,
  save_strategy: "no",
  fp16: false,
  load_best: false,
  metric_for_best_model: "loss",
  seed: 42,
  validation_fraction: 0.05,
  max_grad_norm: 1,
  device: "auto",
};

function renderStep(overrides: Partial<Parameters<typeof SettingsStep>[0]> = {}) {
  const props = {
    recipe: defaults,
    defaults,
    problems: [],
    busy: false,
    onRecipe: vi.fn(),
    onSave: vi.fn(),
    onLoad: vi.fn(),
    onBack: vi.fn(),
    onStart: vi.fn(),
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
    renderStep({ problems: [{ field: "learning_rate", message: "learning_rate must be above 0 and below 1" }] });
    expect(screen.getByTestId("problem-learning_rate").textContent).toContain("above 0");
    expect((screen.getByTestId("start-training") as HTMLButtonElement).disabled).toBe(true);
  });
});
