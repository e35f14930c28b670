import { useCallback, useEffect, useRef, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import type { CsvDialect } from "./bindings/CsvDialect";
import type { CsvPreview } from "./bindings/CsvPreview";
import type { DataSummary } from "./bindings/DataSummary";
import type { ErrorReport } from "./bindings/ErrorReport";
import type { ModelAvailability } from "./bindings/ModelAvailability";
import type { Recipe } from "./bindings/Recipe";
import type { RecipeProblem } from "./bindings/RecipeProblem";
import type { TrainingEvent } from "./bindings/TrainingEvent";
import type { TrainingReport } from "./bindings/TrainingReport";
import type { TrainingStarted } from "./bindings/TrainingStarted";
import type { TokenSource } from "./bindings/TokenSource";
import type { UnfinishedEntry } from "./bindings/UnfinishedEntry";
import { ErrorPanel } from "./components/ErrorPanel";
import { StepHeader, type StepName } from "./components/StepHeader";
import { toErrorReport } from "./logic/errors";
import { applyEvents, initialProgress, isOver, type TrainingProgress } from "./logic/trainingProgress";
import { DataStep } from "./steps/DataStep";
import { ModelStep, type DownloadState } from "./steps/ModelStep";
import { ResultView } from "./steps/ResultView";
import { SettingsStep } from "./steps/SettingsStep";
import { TrainingView } from "./steps/TrainingView";
import type { LibraryEntry } from "./bindings/LibraryEntry";
import { ClassifyView } from "./views/ClassifyView";
import { LibraryView } from "./views/LibraryView";

type Section = "Train" | "Classify" | "Models";

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [step, setStep] = useState<StepName>("Data");
  const [error, setError] = useState<ErrorReport | null>(null);
  const [busy, setBusy] = useState(false);
  // Data step
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [validationFile, setValidationFile] = useState<string | null>(null);
  const [summary, setSummary] = useState<DataSummary | null>(null);
  // Model and settings
  const [recipe, setRecipe] = useState<Recipe | null>(null);
  const [statuses, setStatuses] = useState<Record<string, ModelAvailability>>({});
  const [download, setDownload] = useState<DownloadState | null>(null);
  const [problems, setProblems] = useState<RecipeProblem[]>([]);
  // Training and result
  const [progress, setProgress] = useState<TrainingProgress | null>(null);
  const [job, setJob] = useState<{ jobId: number; modelId: string; startedAt: number } | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [cancelling, setCancelling] = useState(false);
  const [report, setReport] = useState<TrainingReport | null>(null);
  const [exportedTo, setExportedTo] = useState<string | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);
  // Classification and the library
  const [section, setSection] = useState<Section>("Train");
  const [models, setModels] = useState<LibraryEntry[]>([]);
  const [unfinished, setUnfinished] = useState<UnfinishedEntry[]>([]);
  const [tokenSource, setTokenSource] = useState<TokenSource | null>(null);
  const [droppedFiles, setDroppedFiles] = useState<string[]>([]);

  const fail = useCallback((e: unknown) => setError(toErrorReport(e)), []);
  const clearDropped = useCallback(() => setDroppedFiles([]), []);

  useEffect(() => {
    api.appInfo().then((i) => {
      setInfo(i);
      setRecipe(i.default_recipe);
    }, fail);
  }, [fail]);

  const refreshModels = useCallback(() => {
    api.listModels().then(setModels, fail);
    api.listUnfinished().then(setUnfinished, fail);
  }, [fail]);
  useEffect(refreshModels, [refreshModels]);
  useEffect(() => {
    if (step === "Model" && tokenSource === null) api.hubTokenStatus().then(setTokenSource, fail);
  }, [step, tokenSource, fail]);
  // The Models page lists what is on disk now.
  useEffect(() => {
    if (section === "Models") refreshModels();
  }, [section, refreshModels]);
  // A stopped or failed run may have left a checkpoint to resume.
  const runOver = progress !== null && isOver(progress.status);
  useEffect(() => {
    if (runOver) refreshModels();
  }, [runOver, refreshModels]);

  const loadFile = useCallback(
    async (path: string, dialect: CsvDialect | null = null) => {
      setBusy(true);
      setError(null);
      try {
        const p = await api.previewData(path, dialect);
        setPreview(p);
        setSummary(null);
        setRecipe((r) => {
          if (!r) return r;
          const keep = (c: string) => p.headers.includes(c);
          return {
            ...r,
            text_column: dialect && keep(r.text_column) ? r.text_column : (p.guessed_text_column ?? p.headers[0] ?? ""),
            label_column: dialect && keep(r.label_column) ? r.label_column : (p.guessed_label_column ?? p.headers[1] ?? ""),
          };
        });
      } catch (e) {
        fail(e);
      } finally {
        setBusy(false);
      }
    },
    [fail],
  );

  // Files dropped on the window open in the data step.
  const stepRef = useRef(step);
  stepRef.current = step;
  const sectionRef = useRef(section);
  sectionRef.current = section;
  useEffect(() => {
    const unlisten = getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type !== "drop" || event.payload.paths.length === 0) return;
      if (sectionRef.current === "Classify" || sectionRef.current === "Models") {
        setDroppedFiles(event.payload.paths);
      } else if (sectionRef.current === "Train" && stepRef.current === "Data") {
        void loadFile(event.payload.paths[0]);
      }
    });
    return () => void unlisten.then((f) => f());
  }, [loadFile]);

  // Closing the window during a run asks first (the shell holds the close until we answer).
  useEffect(() => {
    const unlisten = listen("close-requested", () => setConfirmClose(true));
    return () => void unlisten.then((f) => f());
  }, []);

  // The data summary follows the file, the columns and the validation choice.
  const textColumn = recipe?.text_column ?? "";
  const labelColumn = recipe?.label_column ?? "";
  useEffect(() => {
    if (!preview || !recipe || !textColumn || !labelColumn) return;
    let current = true;
    setSummary(null);
    if (textColumn === labelColumn) {
      setError({ kind: "invalid_input", message: "The text column and the label column must differ.", hint: "Pick two different columns." });
      return;
    }
    api
      .summariseData({ train_csv: preview.path, validation_csv: validationFile, dialect: preview.dialect, recipe })
      .then((s) => current && (setSummary(s), setError(null)), (e) => current && fail(e));
    return () => {
      current = false;
    };
    // The summary depends on the columns and the split settings only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preview, textColumn, labelColumn, validationFile, recipe?.validation_fraction, recipe?.seed, fail]);

  // Availability of the suggested models and the chosen one.
  const model = recipe?.model ?? "";
  useEffect(() => {
    if (step !== "Model" || !info) return;
    const names = new Set([...info.suggested_models.map((m) => m.id), model].filter(Boolean));
    names.forEach((name) => api.modelStatus(name).then((s) => setStatuses((all) => ({ ...all, [name]: s })), fail));
  }, [step, info, model, fail]);

  // The engine says which values are invalid, and why.
  useEffect(() => {
    if (!recipe) return;
    let current = true;
    api.recipeProblems(recipe).then((p) => current && setProblems(p), fail);
    return () => {
      current = false;
    };
  }, [recipe, fail]);

  // The elapsed-time clock of the training view.
  useEffect(() => {
    if (!job || !progress || isOver(progress.status)) return;
    const timer = setInterval(() => setElapsed((Date.now() - job.startedAt) / 1000), 1000);
    return () => clearInterval(timer);
  }, [job, progress]);

  // A finished run opens its result.
  useEffect(() => {
    if (progress?.status !== "finished" || !job) return;
    api.modelReport(job.modelId).then((r) => {
      setReport(r);
      setStep("Result");
    }, fail);
    refreshModels();
  }, [progress?.status, job, fail, refreshModels]);

  /** Starts a run (new, or resumed from the library) and follows it in the training view. */
  const followRun = async (start: (onEvents: (events: TrainingEvent[]) => void) => Promise<TrainingStarted>) => {
    setError(null);
    setCancelling(false);
    setReport(null);
    setExportedTo(null);
    setProgress(initialProgress());
    setElapsed(0);
    try {
      const started = await start((events) => setProgress((p) => applyEvents(p ?? initialProgress(), events)));
      setJob({ jobId: started.job_id, modelId: started.model_id, startedAt: Date.now() });
      setSection("Train");
      setStep("Training");
      refreshModels();
    } catch (e) {
      setProgress(null);
      fail(e);
    }
  };
  const startTraining = () => {
    if (!preview || !recipe) return;
    return followRun((onEvents) =>
      api.startTraining({ train_csv: preview.path, validation_csv: validationFile, dialect: preview.dialect, recipe }, onEvents),
    );
  };

  const downloadModel = async (name: string) => {
    setDownload({ name, file: "", done: 0, total: 0 });
    try {
      await api.downloadModel(name, (e) =>
        setDownload({ name, file: e.file, done: e.stage === "progress" ? e.bytes_done : e.stage === "finished" ? e.bytes_total : 0, total: e.bytes_total }),
      );
      const s = await api.modelStatus(name);
      setStatuses((all) => ({ ...all, [name]: s }));
    } catch (e) {
      fail(e);
    } finally {
      setDownload(null);
    }
  };

  if (!info || !recipe) {
    return (
      <main className="app">
        <ErrorPanel error={error} />
        {!error && <p className="muted center">Starting…</p>}
      </main>
    );
  }

  const running = progress !== null && !isOver(progress.status);
  const reachable = (s: StepName) => {
    if (running) return s === "Training";
    switch (s) {
      case "Data":
        return true;
      case "Model":
      case "Settings":
        return summary !== null;
      case "Training":
        return progress !== null;
      case "Result":
        return report !== null;
    }
  };

  return (
    <main className="app">
      <header className="top">
        <div className="brand">
          <img src="/icon.svg" alt="" width={28} height={28} />
          <span>BERT Studio</span>
        </div>
        {section === "Train" && <StepHeader current={step} reachable={reachable} onGo={setStep} />}
        <nav className="sections" aria-label="Sections">
          {(["Train", "Classify", "Models"] as Section[]).map((s) => (
            <button key={s} className={section === s ? "on" : ""} onClick={() => setSection(s)} data-testid={`section-${s.toLowerCase()}`}>
              {s === "Models" ? `Models (${models.length})` : s}
            </button>
          ))}
        </nav>
      </header>
      <ErrorPanel error={error} onDismiss={() => setError(null)} />
      {section === "Classify" && (
        <ClassifyView
          models={models}
          droppedFiles={droppedFiles}
          onDroppedHandled={clearDropped}
        />
      )}
      {section === "Models" && (
        <LibraryView
          models={models}
          droppedFiles={droppedFiles}
          onDroppedHandled={clearDropped}
          onChanged={refreshModels}
          onError={setError}
          unfinished={unfinished}
          trainingNow={running}
          onResume={(id) => followRun((onEvents) => api.resumeTraining(id, onEvents))}
          onDiscard={(id) => api.discardUnfinished(id).then(refreshModels, fail)}
        />
      )}
      {section === "Train" && step === "Data" && (
        <DataStep
          preview={preview}
          textColumn={textColumn}
          labelColumn={labelColumn}
          validationFile={validationFile}
          summary={summary}
          busy={busy}
          onChooseFile={() => api.choosePath("training_data").then((p) => void (p && loadFile(p)), fail)}
          onUseSample={() => loadFile(info.sample_data)}
          onDialect={(d) => preview && loadFile(preview.path, d)}
          onColumns={(text, label) => setRecipe({ ...recipe, text_column: text, label_column: label })}
          onChooseValidation={() => api.choosePath("validation_data").then((p) => p && setValidationFile(p), fail)}
          onClearValidation={() => setValidationFile(null)}
          onNext={() => setStep("Model")}
        />
      )}
      {section === "Train" && step === "Model" && (
        <ModelStep
          suggestions={info.suggested_models}
          model={recipe.model}
          statuses={statuses}
          download={download}
          onModel={(name) => setRecipe({ ...recipe, model: name })}
          onDownload={downloadModel}
          onChooseFolder={() => api.choosePath("model_folder").then((p) => p && setRecipe({ ...recipe, model: p }), fail)}
          tokenSource={tokenSource}
          onSaveToken={(token) => api.saveHubToken(token).then(setTokenSource, fail)}
          onForgetToken={() => api.forgetHubToken().then(setTokenSource, fail)}
          onBack={() => setStep("Data")}
          onNext={() => setStep("Settings")}
        />
      )}
      {section === "Train" && step === "Settings" && (
        <SettingsStep
          recipe={recipe}
          defaults={info.default_recipe}
          problems={problems}
          busy={running}
          onRecipe={setRecipe}
          onSave={() => api.saveRecipe(recipe).catch(fail)}
          onLoad={async () => {
            try {
              const path = await api.choosePath("recipe");
              if (!path) return;
              const loaded = await api.openRecipe(path);
              // The columns belong to the data chosen in the first step.
              setRecipe({ ...loaded, text_column: recipe.text_column, label_column: recipe.label_column });
            } catch (e) {
              fail(e);
            }
          }}
          onBack={() => setStep("Model")}
          onStart={startTraining}
        />
      )}
      {section === "Train" && step === "Training" && progress && (
        <TrainingView
          progress={progress}
          elapsedSeconds={elapsed}
          cancelling={cancelling}
          onCancel={() => {
            if (!job) return;
            setCancelling(true);
            api.cancelTraining(job.jobId).catch(fail);
          }}
          onShowResult={() => setStep("Result")}
          onBackToSettings={() => setStep("Settings")}
        />
      )}
      {section === "Train" && step === "Result" && report && job && (
        <ResultView
          report={report}
          modelFolder={`${info.library_folder}/${job.modelId}`}
          exportedTo={exportedTo}
          onExport={() => api.exportModel(job.modelId).then((to) => to && setExportedTo(to), fail)}
          onTrainAgain={() => setStep("Settings")}
        />
      )}
      {confirmClose && (
        <div className="modal-backdrop" role="dialog" aria-modal="true" data-testid="confirm-close">
          <div className="modal">
            <h3>A model is still training</h3>
            <p>Closing now stops the run. The epochs it has finished are kept: you can resume it from Models → Unfinished runs. Close anyway?</p>
            <div className="actions end">
              <button onClick={() => setConfirmClose(false)}>Keep training</button>
              <button className="danger" onClick={() => api.quit().catch(fail)}>Stop and close</button>
            </div>
          </div>
        </div>
      )}
    </main>
  );
}
