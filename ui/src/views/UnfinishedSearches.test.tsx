// @vitest-environment jsdom
// Stopped searches in the Models section: each goes on as a whole, or is forgotten once the
// question is answered.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { UnfinishedSearch } from "../bindings/UnfinishedSearch";
import { UnfinishedSearches } from "./UnfinishedSearches";

const stopped: UnfinishedSearch = {
  id: "nace_fr-20261202-101500",
  train_file: "nace_fr.csv",
  base_model: "sentence-transformers/all-MiniLM-L6-v2",
  learning_rates: [2e-5, 5e-5],
  epochs: [3, 4],
  trials: 4,
  trials_done: 2,
  started_unix: 1_764_000_000,
};

afterEach(cleanup);

describe("UnfinishedSearches", () => {
  it("shows nothing when no search stopped", () => {
    render(<UnfinishedSearches searches={[]} trainingNow={false} onResume={vi.fn()} onDiscard={vi.fn()} />);
    expect(screen.queryByTestId("unfinished-searches")).toBeNull();
  });

  it("says what a stopped search tried and how far it got, and goes on with it", () => {
    const onResume = vi.fn();
    render(<UnfinishedSearches searches={[stopped]} trainingNow={false} onResume={onResume} onDiscard={vi.fn()} />);
    const row = screen.getByTestId(`unfinished-search-${stopped.id}`);
    expect(row.textContent).toContain("nace_fr.csv");
    expect(row.textContent).toContain("all-MiniLM-L6-v2");
    expect(row.textContent).toContain("learning rates 2e-5, 5e-5 × passes 3, 4");
    expect(row.textContent).toContain("2 of 4 runs");
    fireEvent.click(screen.getByTestId(`resume-search-${stopped.id}`));
    expect(onResume).toHaveBeenCalledWith(stopped.id);
  });

  it("waits while another run trains", () => {
    render(<UnfinishedSearches searches={[stopped]} trainingNow onResume={vi.fn()} onDiscard={vi.fn()} />);
    const button = screen.getByTestId(`resume-search-${stopped.id}`) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.title).toBe("Another run is training");
  });

  it("forgets a search only once the question is answered", () => {
    const onDiscard = vi.fn();
    render(<UnfinishedSearches searches={[stopped]} trainingNow={false} onResume={vi.fn()} onDiscard={onDiscard} />);
    fireEvent.click(screen.getByText("Discard"));
    expect(screen.getByText("Forget the search on “nace_fr.csv”?")).toBeTruthy();
    expect(screen.getByText(/Its 2 runs left will not run/)).toBeTruthy();
    fireEvent.click(screen.getByText("Keep it"));
    expect(onDiscard).not.toHaveBeenCalled();
    fireEvent.click(screen.getByText("Discard"));
    fireEvent.click(screen.getByTestId("discard-search"));
    expect(onDiscard).toHaveBeenCalledWith(stopped.id);
  });
});
