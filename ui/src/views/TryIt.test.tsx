// @vitest-environment jsdom
// The try-it box: the likely labels of a typed text, the words that drove the top one (shaded,
// the number on hover), another label's words on a click, and a stopped explanation kept quiet.
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Explanation } from "../bindings/Explanation";

vi.mock("../components/Chart", () => ({ Chart: () => null }));
const api = vi.hoisted(() => ({ tryText: vi.fn(), explainText: vi.fn() }));
vi.mock("../api/classify", () => ({ classifyApi: api }));

import "../i18n";
import { TryIt } from "./TryIt";

const explanation = (label: string, contributions: number[]): Explanation => ({
  label,
  method: "integrated_gradients",
  steps: 32,
  words: ["Culture", "de", "blé"].map((word, i) => ({ word, space_before: i ? " " : "", contribution: contributions[i] })),
  score: 1.5,
  baseline_score: 0.2,
  completeness_gap: 0.001,
  cut_words: 0,
  seconds: 0.3,
});

beforeEach(() => {
  api.tryText.mockResolvedValue([{ label: "01", score: 0.8 }, { label: "10", score: 0.15 }]);
  api.explainText.mockImplementation((_m: string, _t: string, classes: string[]) =>
    Promise.resolve([classes[0] === "10" ? explanation("10", [-0.2, 0.01, -0.5]) : explanation("01", [0.9, 0.02, 0.4])]),
  );
});
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

describe("TryIt", () => {
  it("shades the words that drove the top label, and explains another label on a click", async () => {
    render(<TryIt modelId="m1" />);
    fireEvent.change(screen.getByTestId("try-text"), { target: { value: "Culture de blé" } });
    const text = await screen.findByTestId("explained-text");
    expect(api.explainText).toHaveBeenCalledWith("m1", "Culture de blé", []);
    const words = Array.from(text.querySelectorAll(".word")) as HTMLElement[];
    expect(words.map((w) => w.textContent)).toEqual(["Culture", "de", "blé"]);
    expect(words[0].title).toBe("+0.900 to the score of 01");
    expect(words[0].style.background).toBe("rgba(37, 99, 235, 0.7)");
    expect(words[1].style.background).toBe(""); // a push under 5 % of the largest is left plain
    expect(screen.getByTestId("explain-class-01").getAttribute("aria-pressed")).toBe("true");

    fireEvent.click(screen.getByTestId("explain-class-10"));
    await waitFor(() => expect(screen.getByTestId("explain-class-10").getAttribute("aria-pressed")).toBe("true"));
    expect(api.explainText).toHaveBeenLastCalledWith("m1", "Culture de blé", ["10"]);
    const away = screen.getByTestId("explained-text").querySelectorAll(".word")[2] as HTMLElement;
    expect(away.title).toBe("-0.500 to the score of 10");
    expect(away.style.background).toBe("rgba(234, 88, 12, 0.7)");
  });

  it("keeps quiet about an explanation stopped by more typing, and says any other failure", async () => {
    api.explainText.mockRejectedValueOnce({ kind: "cancelled", message: "Cancelled." });
    render(<TryIt modelId="m1" />);
    fireEvent.change(screen.getByTestId("try-text"), { target: { value: "Culture" } });
    await waitFor(() => expect(api.explainText).toHaveBeenCalledOnce());
    await act(async () => {});
    expect(screen.queryByText("Cancelled.")).toBeNull();

    api.explainText.mockRejectedValueOnce({ kind: "invalid", message: "There is no text to explain: type or paste a few words." });
    fireEvent.change(screen.getByTestId("try-text"), { target: { value: "Culture de" } });
    expect(await screen.findByText("There is no text to explain: type or paste a few words.")).toBeTruthy();
  });
});
