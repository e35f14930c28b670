// @vitest-environment jsdom
// The window as a whole: it starts from the engine's app_info (About shows it), shows a failure to start in
// the engine's words, counts and lists the library's models, and asks before closing during
// a run (the shell's close-requested event), and shows CSV files opened with the app in
// Classify (at start, and handed over by a later start while it runs).
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ErrorReport } from "./bindings/ErrorReport";
import { appInfo as info, libraryModel } from "./testFixtures";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (command: string, args?: unknown) => invoke(command, args),
  Channel: class {},
}));
const shellEvents = new Map<string, () => void>();
vi.mock("@tauri-apps/api/event", () => ({
  listen: (name: string, handler: () => void) => {
    shellEvents.set(name, handler);
    return Promise.resolve(() => shellEvents.delete(name));
  },
}));
vi.mock("@tauri-apps/api/webview", () => ({
  getCurrentWebview: () => ({ onDragDropEvent: () => Promise.resolve(() => {}) }),
}));
vi.mock("./components/Chart", () => ({ Chart: () => null }));

import { App } from "./App";

function answerCommands(answers: Record<string, unknown>) {
  invoke.mockImplementation((command: string) =>
    command in answers ? Promise.resolve(answers[command]) : Promise.resolve(null),
  );
}

beforeEach(() => {
  invoke.mockReset();
  shellEvents.clear();
});
afterEach(cleanup);

describe("App", () => {
  it("starts once the engine has answered, with the library counted and listed", async () => {
    answerCommands({ app_info: info, list_models: [libraryModel], list_unfinished: [], take_opened_files: [] });
    render(<App />);
    expect(screen.getByText("Starting…")).toBeTruthy();
    // The frame is there at once, its sections closed until the engine answers.
    expect(screen.getByText("BERT Studio")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Classify" }) as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId("section-models").textContent).toBe("Models (1)"));
    expect(screen.queryByText("Starting…")).toBeNull();

    fireEvent.click(screen.getByTestId("section-models"));
    await waitFor(() => expect(screen.getByTestId("model-nace-1").textContent).toContain("NACE codes"));
  });

  it("says in About which build this is, what it computes on and the sample data's terms", async () => {
    answerCommands({ app_info: info, list_models: [], list_unfinished: [], take_opened_files: [] });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("about-open")).toBeTruthy());
    fireEvent.click(screen.getByTestId("about-open"));
    const about = screen.getByTestId("about").textContent ?? "";
    expect(about).toContain("BERT Studio 0.1.0");
    expect(about).toContain("2026-12-01");
    expect(about).toContain("CPU (burn-flex), GPU through wgpu");
    expect(about).toContain("© European Union");
    fireEvent.click(screen.getByText("Close"));
    expect(screen.queryByTestId("about")).toBeNull();
  });

  it("shows why it could not start, in the engine's words, instead of waiting forever", async () => {
    const failure: ErrorReport = {
      kind: "io",
      message: "The model library folder \"/library\" cannot be created: permission denied.",
      hint: "Choose a library folder you can write to.",
    };
    invoke.mockImplementation((command: string) =>
      command === "app_info" ? Promise.reject(failure) : Promise.resolve([]),
    );
    render(<App />);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("cannot be created: permission denied"));
    expect(screen.getByRole("alert").textContent).toContain("Choose a library folder you can write to.");
    expect(screen.queryByText("Starting…")).toBeNull();
  });

  it("asks before closing during a run, and closes only on Stop and close", async () => {
    answerCommands({ app_info: info, list_models: [], list_unfinished: [], take_opened_files: [] });
    render(<App />);
    await waitFor(() => expect(shellEvents.has("close-requested")).toBe(true));
    act(() => shellEvents.get("close-requested")!());
    expect(screen.getByTestId("confirm-close")).toBeTruthy();
    fireEvent.click(screen.getByText("Keep training"));
    expect(screen.queryByTestId("confirm-close")).toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("quit", undefined);

    act(() => shellEvents.get("close-requested")!());
    fireEvent.click(screen.getByText("Stop and close"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("quit", undefined));
  });

  it("shows a CSV file opened with the app in Classify, at start and when a later start hands one over", async () => {
    const opened = [["/home/ana/march.csv"], ["/home/ana/april.csv"]];
    const preview = { headers: ["id", "description"], guessed_text_column: "description" };
    invoke.mockImplementation((command: string) => {
      const answers: Record<string, unknown> = { app_info: info, list_models: [libraryModel], list_unfinished: [], preview_data: preview };
      if (command === "take_opened_files") return Promise.resolve(opened.shift() ?? []);
      return Promise.resolve(answers[command] ?? null);
    });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("classify-view")).toBeTruthy());
    await waitFor(() => expect(screen.getByText(/march\.csv/)).toBeTruthy());
    expect(invoke).toHaveBeenCalledWith("preview_data", expect.objectContaining({ path: "/home/ana/march.csv" }));

    fireEvent.click(screen.getByTestId("section-train"));
    await waitFor(() => expect(shellEvents.has("files-opened")).toBe(true));
    act(() => shellEvents.get("files-opened")!());
    await waitFor(() => expect(screen.getByText(/april\.csv/)).toBeTruthy());
    expect(screen.getByTestId("classify-view")).toBeTruthy();
  });

  it("keeps a CSV file opened with the app in sight when the library is still empty", async () => {
    const opened = [["/home/ana/march.csv"]];
    invoke.mockImplementation((command: string) => {
      const answers: Record<string, unknown> = { app_info: info, list_models: [], list_unfinished: [], preview_data: { headers: ["text"], guessed_text_column: "text" } };
      if (command === "take_opened_files") return Promise.resolve(opened.shift() ?? []);
      return Promise.resolve(answers[command] ?? null);
    });
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("classify-waiting").textContent).toContain("march.csv is waiting here"));
    expect(screen.getByTestId("classify-view").textContent).toContain("the library is empty");
  });
});
