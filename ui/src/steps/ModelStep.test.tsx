// @vitest-environment jsdom
// Choosing the base model: a suggested one (downloaded on request) or any Hub id / folder typed
// in; the Hugging Face token is asked for only where none is set, and never shown.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SuggestedModel } from "../bindings/SuggestedModel";
import { ModelStep, type ModelStepProps } from "./ModelStep";
import { words } from "../testFixtures";

afterEach(cleanup);

const suggestions: SuggestedModel[] = [
  { id: "bert-base-multilingual-uncased", architecture: "BERT", summary: words("the notebook's model"), parameters_millions: 167, download_mb: 670, recommended: true },
  { id: "sentence-transformers/all-MiniLM-L6-v2", architecture: "BERT", summary: words("small and fast"), parameters_millions: 23, download_mb: 90, recommended: false },
];

function renderStep(overrides: Partial<ModelStepProps> = {}) {
  const props: ModelStepProps = {
    suggestions,
    model: "bert-base-multilingual-uncased",
    statuses: {
      "bert-base-multilingual-uncased": { name: "bert-base-multilingual-uncased", local_folder: null, status: { id: "model.not_downloaded", params: {}, text: "not downloaded yet" } },
      "sentence-transformers/all-MiniLM-L6-v2": { name: "sentence-transformers/all-MiniLM-L6-v2", local_folder: "/models/minilm", status: words("on this computer") },
    },
    download: null,
    onModel: vi.fn(),
    onDownload: vi.fn(),
    onChooseFolder: vi.fn(),
    tokenSource: "none",
    onSaveToken: vi.fn(() => Promise.resolve()),
    onForgetToken: vi.fn(),
    onBack: vi.fn(),
    onNext: vi.fn(),
    ...overrides,
  };
  render(<ModelStep {...props} />);
  return props;
}

describe("model step", () => {
  it("offers a download only for a suggested model not on this computer", () => {
    const p = renderStep();
    const downloads = screen.getAllByText("Download");
    expect(downloads).toHaveLength(1);
    fireEvent.click(downloads[0]);
    expect(p.onDownload).toHaveBeenCalledWith("bert-base-multilingual-uncased");
    expect(screen.getByText("default")).toBeTruthy();
  });

  it("takes a typed Hub id on Enter", () => {
    const p = renderStep();
    const input = screen.getByTestId("custom-model");
    fireEvent.change(input, { target: { value: "  camembert-base " } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(p.onModel).toHaveBeenCalledWith("camembert-base");
  });

  it("asks for a token only when none is set", () => {
    renderStep({ tokenSource: "environment" });
    expect(screen.getByTestId("hub-token").textContent).toContain("Taken from HF_TOKEN");
    expect(screen.queryByPlaceholderText("hf_…")).toBeNull();
    cleanup();
    renderStep();
    expect(screen.getByPlaceholderText("hf_…")).toBeTruthy();
    expect((screen.getByText("Save in the keyring") as HTMLButtonElement).disabled).toBe(true);
  });
});
