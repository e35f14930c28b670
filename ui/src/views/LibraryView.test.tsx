// @vitest-environment jsdom
// The Models view: renaming, deleting (asked first) and comparing act on the library through
// the shell's commands, with the ids and names the user chose.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import { libraryModel } from "../testFixtures";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (command: string, args?: unknown) => invoke(command, args),
  Channel: class {},
}));
vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { LibraryView } from "./LibraryView";

const second: LibraryEntry = { ...libraryModel, id: "nace-2", name: "NACE, longer run", macro_f1: 0.45 };

function renderLibrary(models: LibraryEntry[], onChanged = vi.fn()) {
  render(
    <LibraryView models={models} droppedFiles={[]} onDroppedHandled={() => {}} onChanged={onChanged}
      onError={() => {}} unfinished={[]} trainingNow={false} onResume={() => {}} onDiscard={() => {}} />,
  );
  return onChanged;
}

beforeEach(() => {
  invoke.mockReset();
  invoke.mockResolvedValue(null);
});
afterEach(cleanup);

describe("LibraryView", () => {
  it("says so when the library is empty", () => {
    renderLibrary([]);
    expect(screen.getByText(/No models yet/)).toBeTruthy();
    expect(screen.getByText("0 models")).toBeTruthy();
  });

  it("says a multi-label model's accuracy is every label right", () => {
    renderLibrary([libraryModel, { ...second, multi_label: true, accuracy: 0.4 }]);
    const multi = screen.getByTestId("model-nace-2");
    expect(multi.textContent).toMatch(/40[.,0]*\s?%\s+every label/);
    const accuracy = [...multi.querySelectorAll("td")].find((td) => td.textContent?.includes("every label"));
    expect(accuracy?.getAttribute("title")).toBe("A multi-label model: the share of rows whose labels were all right.");
    expect(screen.getByTestId("model-nace-1").textContent).not.toContain("every label");
  });

  it("renames a model with the typed name on Enter, and Escape leaves it as it was", async () => {
    const onChanged = renderLibrary([libraryModel]);
    fireEvent.click(screen.getByTitle("Rename"));
    const field = screen.getByDisplayValue("NACE codes");
    fireEvent.change(field, { target: { value: "Codes NACE 2025" } });
    fireEvent.keyDown(field, { key: "Enter" });
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("rename_model", { modelId: "nace-1", name: "Codes NACE 2025" });

    invoke.mockClear();
    fireEvent.click(screen.getByTitle("Rename"));
    fireEvent.keyDown(screen.getByDisplayValue("NACE codes"), { key: "Escape" });
    expect(screen.queryByDisplayValue("NACE codes")).toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("rename_model", expect.anything());
  });

  it("deletes only after the question is answered with Delete", async () => {
    const onChanged = renderLibrary([libraryModel]);
    fireEvent.click(screen.getByText("Delete"));
    expect(screen.getByText("Delete “NACE codes”?")).toBeTruthy();
    fireEvent.click(screen.getByText("Keep it"));
    expect(invoke).not.toHaveBeenCalledWith("delete_model", expect.anything());

    fireEvent.click(screen.getByText("Delete"));
    const dialog = screen.getByRole("dialog");
    fireEvent.click(dialog.querySelector("button.danger")!);
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("delete_model", { modelId: "nace-1" });
  });

  it("compares the models ticked, once at least two are", async () => {
    renderLibrary([libraryModel, second]);
    const compare = screen.getByTestId("compare-selected") as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText("select NACE codes"));
    expect(compare.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText("select NACE, longer run"));
    expect(compare.disabled).toBe(false);
    expect(compare.textContent).toContain("Compare 2 selected");
    fireEvent.click(compare);
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("compare_models", { modelIds: ["nace-1", "nace-2"] }));
  });
});
