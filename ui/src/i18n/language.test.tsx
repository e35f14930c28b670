// @vitest-environment jsdom
// The app speaks the system's language at first start (French or English), switches when asked,
// remembers the choice, tells the shell (its native dialogs' titles), and every view drawn in
// French finds each of its strings in the catalogue.
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dataSummary, appInfo as info, libraryModel } from "../testFixtures";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (command: string, args?: unknown) => invoke(command, args),
  Channel: class {},
}));
vi.mock("@tauri-apps/api/event", () => ({ listen: () => Promise.resolve(() => {}) }));
vi.mock("@tauri-apps/api/webview", () => ({
  getCurrentWebview: () => ({ onDragDropEvent: () => Promise.resolve(() => {}) }),
}));
vi.mock("../components/Chart", () => ({ Chart: () => null }));

import { App } from "../App";
import { classSizesChart } from "../logic/charts";
import { DataStep } from "../steps/DataStep";
import { SettingsStep } from "../steps/SettingsStep";
import { LibraryView } from "../views/LibraryView";
import { i18n, initialLanguage, missingKeys, setLanguage } from "./index";

function systemLanguages(languages: string[]) {
  Object.defineProperty(window.navigator, "languages", { value: languages, configurable: true });
}

beforeEach(() => {
  localStorage.clear();
  missingKeys.clear();
  invoke.mockReset();
  invoke.mockImplementation((command: string) =>
    Promise.resolve(({ app_info: info, list_models: [libraryModel], list_unfinished: [], take_opened_files: [] } as Record<string, unknown>)[command] ?? null),
  );
});
afterEach(() => {
  cleanup();
  void i18n.changeLanguage("en");
});

describe("language", () => {
  it("follows the system at first start, then the user's remembered choice", () => {
    systemLanguages(["fr-FR", "en-US"]);
    expect(initialLanguage()).toBe("fr");
    systemLanguages(["de-DE", "en-GB"]);
    expect(initialLanguage()).toBe("en");
    systemLanguages(["de-CH", "fr-CH"]);
    expect(initialLanguage()).toBe("fr");
    setLanguage("en");
    expect(initialLanguage()).toBe("en");
  });

  it("takes the system's language from the shell where the webview cannot tell, unless the user chose", async () => {
    invoke.mockImplementation((command: string) =>
      Promise.resolve(({ app_info: { ...info, system_languages: ["fr-FR"] }, list_models: [], list_unfinished: [], take_opened_files: [] } as Record<string, unknown>)[command] ?? null),
    );
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("section-train").textContent).toBe("Entraîner"));
    cleanup();
    await act(() => i18n.changeLanguage("en"));
    setLanguage("en");
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("section-models").textContent).toBe("Models (0)"));
    expect(screen.getByTestId("section-train").textContent).toBe("Train");
  });

  it("switches the whole window, remembers it and tells the shell", async () => {
    await act(() => i18n.changeLanguage("fr"));
    render(<App />);
    await waitFor(() => expect(screen.getByTestId("section-models").textContent).toBe("Modèles (1)"));
    expect(screen.getByTestId("section-train").textContent).toBe("Entraîner");
    expect(screen.getByText("Vos données étiquetées")).toBeTruthy();
    expect(document.documentElement.lang).toBe("fr");
    expect(invoke).toHaveBeenCalledWith("set_language", { language: "fr" });

    fireEvent.change(screen.getByTestId("language"), { target: { value: "en" } });
    await waitFor(() => expect(screen.getByTestId("section-train").textContent).toBe("Train"));
    expect(screen.getByText("Your labelled data")).toBeTruthy();
    expect(localStorage.getItem("bert-studio.language")).toBe("en");
    expect(invoke).toHaveBeenCalledWith("set_language", { language: "en" });
    expect([...missingKeys]).toEqual([]);
  });

  it("draws the data, settings and library views in French with French numbers", async () => {
    await act(() => i18n.changeLanguage("fr"));
    const noop = vi.fn();
    render(
      <DataStep
        preview={{ path: "/d/activites.csv", dialect: { delimiter: ";", encoding: "utf8" }, headers: ["libelle", "code"], rows: [["boulangerie", "10"]], guessed_text_column: "libelle", guessed_label_column: "code" }}
        textColumn="libelle" labelColumn="code" validationFile={null}
        summary={dataSummary({
          rows_read: 3558,
          train_rows: 3380,
          validation_rows: 178,
          warnings: [
            { id: "data.skipped_rows", params: { count: 1200, empty_text: 1000, empty_label: 200 }, text: "1200 row(s) were skipped…" },
            { id: "", params: {}, text: "A remark from an older report." },
          ],
        })}
        busy={false} onChooseFile={noop} onUseSample={noop} onDialect={noop} onColumns={noop} onChooseValidation={noop} onClearValidation={noop} onNext={noop}
        labelNamesColumn={null} labelNamesFile="/app/sample/nace_names_fr.csv" namesAsLabels={false} sampleNames={{ fr: "/app/sample/nace_names_fr.csv" }}
        onLabelNames={noop} onChooseNamesFile={noop} onNamesAsLabels={noop} classWeights="none" onClassWeights={noop} labelSeparator={null} onLabelSeparator={noop} labelColumns={[]} onLabelColumns={noop}
      />,
    );
    const summary = screen.getByTestId("data-summary").textContent ?? "";
    expect(summary).toContain("3\u202f558 lignes lues");
    // The engine's remarks in French, numbers written the French way; an older one as it was.
    const warnings = [...document.querySelectorAll(".warnings li")].map((li) => li.textContent);
    expect(warnings).toEqual(["1\u202f200 lignes ignorées\u00a0: 1\u202f000 sans texte, 200 sans étiquette.", "A remark from an older report."]);
    expect(summary).toContain("178 pour la validation (mises de côté)");
    cleanup();

    render(
      <SettingsStep recipe={info.default_recipe} defaults={info.default_recipe} check={{ problems: [], effective_batch_size: 8 }} busy={false}
        estimate={{ state: "ready", estimate: { seconds: 13_200, training_seconds: 12_950, evaluation_seconds: 190, other_seconds: 60, checkpoint_seconds: 0, backend: "CPU", measured_steps: 6, faster_models: [{ model: "sentence-transformers/all-MiniLM-L6-v2", seconds: 1_700 }] } }}
        suggestions={info.suggested_models} onRecipe={noop} onSave={noop} onLoad={noop} onBack={noop} onStart={noop} onStartSearch={noop} />,
    );
    expect(screen.getByTestId("run-time").textContent).toContain("Environ 3 h 40 min sur cet ordinateur (CPU)\u00a0: entraînement 3 h 35 min");
    expect(screen.getByTestId("long-run").textContent).toContain("sentence-transformers/all-MiniLM-L6-v2\u00a0: environ 28 min 20 s.");
    fireEvent.click(screen.getByTestId("advanced"));
    expect(screen.getByText("Taux d'apprentissage")).toBeTruthy();
    expect(screen.getByText("Regrouper les textes par longueur")).toBeTruthy();
    expect(screen.getByTestId("effective-batch").textContent).toContain("8 lignes par correction");
    cleanup();

    render(<LibraryView models={[libraryModel]} droppedFiles={[]} onDroppedHandled={noop} onChanged={noop} onError={noop} unfinished={[]} trainingNow={false} onResume={noop} onDiscard={noop} />);
    expect(screen.getByText("Bibliothèque de modèles")).toBeTruthy();
    expect(screen.getByTestId("library-table").textContent).toMatch(/\d,\d\u00a0%/);

    expect((classSizesChart(dataSummary().classes).title as { text: string }).text).toMatch(/^Lignes par classe/);
    expect([...missingKeys]).toEqual([]);
  });
});
