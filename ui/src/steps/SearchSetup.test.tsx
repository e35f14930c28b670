// @vitest-environment jsdom
// "Try several settings": values around the form's, the number of runs and their time from the
// run's measured time, and a start that waits for valid values.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SearchSetup } from "./SearchSetup";

afterEach(cleanup);

const measured = { seconds: 130, training_seconds: 100, evaluation_seconds: 20, other_seconds: 10, checkpoint_seconds: 0, backend: "CPU", measured_steps: 8, faster_models: [] };

describe("search setup", () => {
  it("starts from the form's values, counts the runs and says how long they take", () => {
    const onStart = vi.fn();
    render(<SearchSetup learningRate={5e-5} epochs={4} runEstimate={measured} ready onStart={onStart} />);
    expect((screen.getByTestId("search-rates") as HTMLInputElement).value).toBe("3e-5 5e-5");
    expect((screen.getByTestId("search-epochs") as HTMLInputElement).value).toBe("4 5");
    // 30 s a pass: two rates × (4 passes: 130 s, 5 passes: 160 s) = 580 s.
    expect(screen.getByTestId("search-time").textContent).toBe("4 runs, about 9 min 40 s on CPU.");
    fireEvent.change(screen.getByTestId("search-epochs"), { target: { value: "3" } });
    fireEvent.click(screen.getByTestId("start-search"));
    expect(onStart).toHaveBeenCalledWith({ learning_rates: [3e-5, 5e-5], epochs: [3], trials: null });
  });

  it("says what is wrong with the values and does not start", () => {
    render(<SearchSetup learningRate={5e-5} epochs={4} runEstimate={null} ready onStart={vi.fn()} />);
    fireEvent.change(screen.getByTestId("search-epochs"), { target: { value: "3.5" } });
    expect(screen.getByTestId("search-problem").textContent).toContain("whole numbers");
    expect((screen.getByTestId("start-search") as HTMLButtonElement).disabled).toBe(true);
  });
});
