// @vitest-environment jsdom
// Classify: a dropped file waits with its text column and the engine's estimate of the time,
// which follows the column chosen.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { csvPreview as preview, libraryModel } from "../testFixtures";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (command: string, args?: unknown) => invoke(command, args),
  Channel: class {},
}));
vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { ClassifyView } from "./ClassifyView";


beforeEach(() => {
  invoke.mockReset();
  invoke.mockImplementation(async (command: string, args?: { textColumn?: string }) => {
    if (command === "preview_data") return preview;
    // Figures only the engine's estimate could give; another column, another estimate.
    if (command === "estimate_classification")
      return args?.textColumn === "id"
        ? { seconds: 4, rows: 120_972, rows_exact: false, measured_texts: 256, backend: "CPU" }
        : { seconds: 75, rows: 3558, rows_exact: true, measured_texts: 256, backend: "CPU" };
    return null;
  });
});
afterEach(cleanup);

describe("ClassifyView", () => {
  it("shows the engine's estimate of the time before the file is classified", async () => {
    render(<ClassifyView models={[libraryModel]} droppedFiles={["/home/me/activites.csv"]} onDroppedHandled={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("classify-estimate").textContent).toBe("About 1 min 15 s on this computer (CPU) for 3,558 rows."));
    expect(invoke).toHaveBeenCalledWith("estimate_classification", { modelId: libraryModel.id, input: "/home/me/activites.csv", textColumn: "libelle" });
    fireEvent.change(screen.getByTestId("classify-text-column"), { target: { value: "id" } });
    await waitFor(() =>
      expect(screen.getByTestId("classify-estimate").textContent).toBe("About 4 s on this computer (CPU) for about 120,972 rows (estimated from the file's size)."),
    );
  });

  it("takes a file by its typed path, as from the keyboard alone", async () => {
    render(<ClassifyView models={[libraryModel]} droppedFiles={[]} onDroppedHandled={() => {}} />);
    expect((screen.getByTestId("classify-add") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId("classify-path"), { target: { value: " /home/me/activites.csv " } });
    fireEvent.submit(screen.getByTestId("classify-path").closest("form")!);
    await waitFor(() => expect(screen.getByTestId("classify-text-column")).toBeTruthy());
    expect(invoke).toHaveBeenCalledWith("preview_data", { path: "/home/me/activites.csv", dialect: null });
    expect((screen.getByTestId("classify-path") as HTMLInputElement).value).toBe("");
  });
});
