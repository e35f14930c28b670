// @vitest-environment jsdom
// Each file picker opens the native dialog for its own purpose (the dialog's title and filter
// follow the purpose): Classify asks for the texts to classify, Models for a labelled test file.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { libraryModel as model } from "../testFixtures";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (command: string, args?: unknown) => invoke(command, args),
  Channel: class {},
}));

import { ClassifyView } from "./ClassifyView";
import { LibraryView } from "./LibraryView";


beforeEach(() => {
  invoke.mockReset();
  // The user closes the dialog without choosing.
  invoke.mockResolvedValue(null);
});
afterEach(cleanup);

function purposesAsked() {
  return invoke.mock.calls.filter(([command]) => command === "choose_path").map(([, args]) => (args as { purpose: string }).purpose);
}

describe("file pickers", () => {
  it("Classify asks for the file to classify", async () => {
    render(<ClassifyView models={[model]} droppedFiles={[]} onDroppedHandled={() => {}} />);
    fireEvent.click(screen.getByText("Choose a CSV file…"));
    await waitFor(() => expect(purposesAsked()).toEqual(["texts_to_classify"]));
  });

  it("Models asks for a labelled test file, not a validation file", async () => {
    render(
      <LibraryView
        models={[model]}
        droppedFiles={[]}
        onDroppedHandled={() => {}}
        onChanged={() => {}}
        onError={() => {}}
        unfinished={[]}
        trainingNow={false}
        onResume={() => {}}
        onDiscard={() => {}}
      />,
    );
    fireEvent.click(screen.getByText("Choose a test file…"));
    await waitFor(() => expect(purposesAsked()).toEqual(["test_data"]));
  });
});
