// The window: three sections (Train, Classify, Models), the errors, files dropped on the
// window, and the question before closing during a run. State lives in hooks by concern
// (useDataChoice, useTrainingRun, useLibrary); the Train section's steps in TrainWizard.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { appApi } from "./api/app";
import { correctionsApi } from "./api/corrections";
import { trainingApi } from "./api/training";
import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorReport } from "./bindings/ErrorReport";
import type { Recipe } from "./bindings/Recipe";
import type { TrainingEvent } from "./bindings/TrainingEvent";
import type { TrainingStarted } from "./bindings/TrainingStarted";
import { ConfirmDialog } from "./components/ConfirmDialog";
import { AboutDialog } from "./components/AboutDialog";
import { ErrorPanel } from "./components/ErrorPanel";
import { StepHeader, type StepName } from "./components/StepHeader";
import { useDataChoice } from "./hooks/useDataChoice";
import { useFocusAfterChange } from "./hooks/useFocusAfterChange";
import { useLibrary } from "./hooks/useLibrary";
import { useTrainingRun } from "./hooks/useTrainingRun";
import { searchApi } from "./api/search";
import type { SearchEvent } from "./bindings/SearchEvent";
import type { SearchSpace } from "./bindings/SearchSpace";
import type { SearchStarted } from "./bindings/SearchStarted";
import { adoptSystemLanguages } from "./i18n";
import { toErrorReport } from "./logic/errors";
import { formatCount } from "./logic/format";
import { LanguageSwitch } from "./components/LanguageSwitch";
import { TrainWizard } from "./TrainWizard";
import { ClassifyView } from "./views/ClassifyView";
import { LibraryView } from "./views/LibraryView";

type Section = "Train" | "Classify" | "Models";
const SECTIONS: Section[] = ["Train", "Classify", "Models"];

export function App() {
  const { t } = useTranslation();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [recipe, setRecipe] = useState<Recipe | null>(null);
  const [section, setSection] = useState<Section>("Train");
  const [step, setStep] = useState<StepName>("Data");
  const [error, setError] = useState<ErrorReport | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);
  const [about, setAbout] = useState(false);
  const [droppedFiles, setDroppedFiles] = useState<string[]>([]);
  /** What the app did on the user's behalf and where (a corrected copy trained on). */
  const [notice, setNotice] = useState<string | null>(null);
  /** Models to show side by side when the Models section opens (a finished search's runs). */
  const [comparing, setComparing] = useState<string[] | null>(null);

  const fail = useCallback((e: unknown) => setError(toErrorReport(e)), []);
  const clearDropped = useCallback(() => setDroppedFiles([]), []);
  const library = useLibrary(fail);
  const data = useDataChoice(recipe, setRecipe, setError, fail);
  const run = useTrainingRun(fail, () => setStep("Result"), library.refresh);

  useEffect(() => {
    appApi.appInfo().then((i) => {
      adoptSystemLanguages(i.system_languages);
      setInfo(i);
      setRecipe(i.default_recipe);
    }, fail);
  }, [fail]);

  // The Models page lists what is on disk now.
  const refreshModels = library.refresh;
  useEffect(() => {
    if (section === "Models") refreshModels();
  }, [section, refreshModels]);

  // Another view (a step done, a run finished): the focus goes to its heading when the control
  // it was on went away with the old view.
  useFocusAfterChange(() => document.querySelector<HTMLElement>("main.app > :not(header) h2"), section === "Train" ? step : section);

  // Files dropped on the window open in the data step, or go to Classify and Models.
  const stepRef = useRef(step);
  stepRef.current = step;
  const sectionRef = useRef(section);
  sectionRef.current = section;
  const loadFile = data.loadFile;
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

  // CSV files opened with the app ("Open with BERT Studio", at start or while it runs) go to
  // Classify, as if dropped there.
  const ready = info !== null;
  useEffect(() => {
    if (!ready) return;
    const take = () =>
      appApi.takeOpenedFiles().then((paths) => {
        if (paths.length === 0) return;
        setSection("Classify");
        setDroppedFiles(paths);
      }, fail);
    void take();
    const unlisten = listen("files-opened", () => void take());
    return () => void unlisten.then((f) => f());
  }, [ready, fail]);

  // Closing the window during a run asks first (the shell holds the close until we answer).
  useEffect(() => {
    const unlisten = listen("close-requested", () => setConfirmClose(true));
    return () => void unlisten.then((f) => f());
  }, []);

  /** Starts a run (new, or resumed from the library) and follows it in the training view. */
  const followRun = async (start: (onEvent: (event: TrainingEvent) => void) => Promise<TrainingStarted>) => {
    setError(null);
    setNotice(null);
    const started = await run.follow(start);
    if (started) {
      setSection("Train");
      setStep("Training");
      library.refresh();
    }
    return started;
  };
  /** "Train again with my corrections": the model's recipe on a corrected copy of its training
   * file, which the wizard then holds (so that "Train again" goes on from it); where the copy
   * is, said until the next run. A refusal rejects, for the button to say. */
  const trainAgainCorrected = async (modelId: string) => {
    const c = await correctionsApi.trainingChoice(modelId);
    if (!(await followRun((onEvent) => trainingApi.startTraining(c.choice, onEvent)))) return;
    setNotice(
      t("corrections.trainingOn", {
        path: c.copy.path,
        rows: formatCount(c.copy.copy.rows_written),
        relabelled: formatCount(c.copy.copy.relabelled),
        excluded: formatCount(c.copy.copy.excluded),
      }),
    );
    await data.loadFile(c.choice.train_csv, null, c.choice.recipe.label_names_file);
    setRecipe(c.choice.recipe);
    data.setValidationFile(c.choice.validation_csv);
  };
  /** Starts a search (new, or going on from the library) and follows it in the training view. */
  const followSearch = async (start: (onEvent: (event: SearchEvent) => void) => Promise<SearchStarted>) => {
    setError(null);
    setNotice(null);
    if (await run.followSearch(start)) {
      setSection("Train");
      setStep("Training");
      library.refresh();
    }
  };
  const startSearch = (space: SearchSpace) => {
    const preview = data.preview;
    if (!preview || !recipe) return;
    const choice = { train_csv: preview.path, validation_csv: data.validationFile, dialect: preview.dialect, recipe };
    void followSearch((onEvent) => searchApi.startSearch(choice, space, onEvent));
  };
  /** Shows library models side by side in the Models section. */
  const compareModels = (modelIds: string[]) => {
    setComparing(modelIds);
    setSection("Models");
  };
  const startTraining = () => {
    const preview = data.preview;
    if (!preview || !recipe) return;
    void followRun((onEvent) =>
      trainingApi.startTraining({ train_csv: preview.path, validation_csv: data.validationFile, dialect: preview.dialect, recipe }, onEvent),
    );
  };

  // The window's frame is drawn at once; the sections open when the engine has answered.
  const brand = (
    <div className="brand">
      <img src="/icon.svg" alt="" width={28} height={28} />
      <span>BERT Studio</span>
    </div>
  );
  if (!info || !recipe) {
    return (
      <main className="app">
        <header className="top">
          {brand}
          <nav className="sections" aria-label={t("app.sections")}>
            {SECTIONS.map((s) => (
              <button key={s} disabled>{t(`app.section.${s}`)}</button>
            ))}
            <LanguageSwitch />
          </nav>
        </header>
        <ErrorPanel error={error} />
        {!error && <p className="muted center">{t("app.starting")}</p>}
      </main>
    );
  }

  const reachable = (s: StepName) => {
    if (run.running) return s === "Training";
    switch (s) {
      case "Data":
        return true;
      case "Model":
      case "Settings":
        return data.summary !== null;
      case "Training":
        return run.progress !== null;
      case "Result":
        return run.report !== null;
    }
  };

  return (
    <main className="app">
      <header className="top">
        {brand}
        {section === "Train" && <StepHeader current={step} reachable={reachable} onGo={setStep} />}
        <nav className="sections" aria-label={t("app.sections")}>
          {SECTIONS.map((s) => (
            <button key={s} className={section === s ? "on" : ""} onClick={() => setSection(s)} data-testid={`section-${s.toLowerCase()}`}>
              {s === "Models" ? t("app.modelsCount", { count: library.models.length }) : t(`app.section.${s}`)}
            </button>
          ))}
          <button onClick={() => setAbout(true)} data-testid="about-open" title={t("app.aboutTitle")}>{t("app.about")}</button>
          <LanguageSwitch />
        </nav>
      </header>
      <ErrorPanel error={error} onDismiss={() => setError(null)} />
      {notice && (
        <div className="notice-panel" role="status" data-testid="notice">
          <span>{notice}</span>
          <button className="ghost" onClick={() => setNotice(null)} aria-label={t("common.dismiss")}>×</button>
        </div>
      )}
      {section === "Classify" && <ClassifyView models={library.models} droppedFiles={droppedFiles} onDroppedHandled={clearDropped} />}
      {section === "Models" && (
        <LibraryView
          models={library.models}
          droppedFiles={droppedFiles}
          onDroppedHandled={clearDropped}
          onChanged={library.refresh}
          onError={setError}
          unfinished={library.unfinished}
          trainingNow={run.running}
          onResume={(id) => followRun((onEvent) => trainingApi.resumeTraining(id, onEvent))}
          onDiscard={(id) => trainingApi.discardUnfinished(id).then(library.refresh, fail)}
          unfinishedSearches={library.unfinishedSearches}
          onResumeSearch={(id) => void followSearch((onEvent) => searchApi.resumeSearch(id, onEvent))}
          onDiscardSearch={(id) => searchApi.discardUnfinished(id).then(library.refresh, fail)}
          compareRequest={comparing}
          onCompareShown={() => setComparing(null)}
          onTrainAgainCorrected={trainAgainCorrected}
        />
      )}
      {section === "Train" && (
        <TrainWizard
          info={info}
          step={step}
          onStep={setStep}
          recipe={recipe}
          onRecipe={setRecipe}
          data={data}
          run={run}
          onStart={startTraining}
          onStartSearch={startSearch}
          onCompare={compareModels}
          fail={fail}
        />
      )}
      {about && <AboutDialog info={info} onClose={() => setAbout(false)} />}
      {confirmClose && (
        <ConfirmDialog
          title={t("app.closeQuestion.title")}
          text={t("app.closeQuestion.text")}
          keepLabel={t("app.closeQuestion.keep")}
          confirmLabel={t("app.closeQuestion.close")}
          onKeep={() => setConfirmClose(false)}
          onConfirm={() => appApi.quit().catch(fail)}
          testId="confirm-close"
        />
      )}
    </main>
  );
}
