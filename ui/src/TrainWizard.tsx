// The Train section: the five steps of a run (data, base model, settings, training, result)
// over the data choice and the run the app holds. The model step's and the settings step's own
// state (model availability, download, token, the engine's recipe check) lives here.
import { useEffect, useState } from "react";
import { dialogsApi } from "./api/dialogs";
import { libraryApi } from "./api/library";
import { modelsApi } from "./api/models";
import { trainingApi } from "./api/training";
import type { AppInfo } from "./bindings/AppInfo";
import type { ModelAvailability } from "./bindings/ModelAvailability";
import type { Recipe } from "./bindings/Recipe";
import type { RecipeCheck } from "./bindings/RecipeCheck";
import type { SearchSpace } from "./bindings/SearchSpace";
import type { TokenSource } from "./bindings/TokenSource";
import { i18n } from "./i18n";
import { errorMessage } from "./logic/engineText";
import { toErrorReport } from "./logic/errors";
import type { StepName } from "./components/StepHeader";
import type { DataChoiceState } from "./hooks/useDataChoice";
import type { TrainingRun } from "./hooks/useTrainingRun";
import { DataStep } from "./steps/DataStep";
import { ModelStep, type DownloadState } from "./steps/ModelStep";
import { ResultView } from "./steps/ResultView";
import { SearchTrials } from "./steps/SearchTrials";
import { SettingsStep, type EstimateState } from "./steps/SettingsStep";
import { TrainingView } from "./steps/TrainingView";

export interface TrainWizardProps {
  info: AppInfo;
  step: StepName;
  onStep: (step: StepName) => void;
  recipe: Recipe;
  onRecipe: (recipe: Recipe) => void;
  data: DataChoiceState;
  run: TrainingRun;
  onStart: () => void;
  /** Starts a search over the form's recipe (several learning rates and passes). */
  onStartSearch: (space: SearchSpace) => void;
  /** Opens the comparison of these library models (a finished search's runs). */
  onCompare: (modelIds: string[]) => void;
  fail: (e: unknown) => void;
}

export function TrainWizard(p: TrainWizardProps) {
  const { info, step, recipe, data, run, fail } = p;
  const [statuses, setStatuses] = useState<Record<string, ModelAvailability>>({});
  const [download, setDownload] = useState<DownloadState | null>(null);
  const [tokenSource, setTokenSource] = useState<TokenSource | null>(null);
  const [check, setCheck] = useState<RecipeCheck | null>(null);
  const [estimate, setEstimate] = useState<EstimateState | null>(null);

  useEffect(() => {
    if (step === "Model" && tokenSource === null) modelsApi.hubTokenStatus().then(setTokenSource, fail);
  }, [step, tokenSource, fail]);

  // Availability of the suggested models and the chosen one.
  const model = recipe.model;
  useEffect(() => {
    if (step !== "Model") return;
    const names = new Set([...info.suggested_models.map((m) => m.id), model].filter(Boolean));
    names.forEach((name) => modelsApi.modelStatus(name).then((s) => setStatuses((all) => ({ ...all, [name]: s })), fail));
  }, [step, info, model, fail]);

  // The engine says which values are invalid, and why.
  useEffect(() => {
    let current = true;
    trainingApi.checkRecipe(recipe).then((c) => current && setCheck(c), fail);
    return () => {
      current = false;
    };
  }, [recipe, fail]);

  // How long the run would take: a few of its steps timed by the engine, once the settings
  // are valid and have stopped changing for a moment.
  const preview = data.preview;
  const validationFile = data.validationFile;
  const valid = check !== null && check.problems.length === 0;
  useEffect(() => {
    if (step !== "Settings" || !preview || !valid || run.running) return;
    let current = true;
    setEstimate({ state: "measuring" });
    const timer = setTimeout(() => {
      trainingApi
        .estimateTraining({ train_csv: preview.path, validation_csv: validationFile, dialect: preview.dialect, recipe })
        .then(
          (e) => current && setEstimate({ state: "ready", estimate: e }),
          (e) => {
            const report = toErrorReport(e);
            if (!current || report.kind === "cancelled") return;
            setEstimate(report.kind === "model_not_found" ? { state: "not_downloaded" } : { state: "unavailable", reason: errorMessage(report) });
          },
        );
    }, 700);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [step, preview, validationFile, recipe, valid, run.running]);

  const downloadModel = async (name: string) => {
    setDownload({ name, file: "", done: 0, total: 0 });
    try {
      await modelsApi.downloadModel(name, (e) =>
        setDownload({ name, file: e.file, done: e.stage === "progress" ? e.bytes_done : e.stage === "finished" ? e.bytes_total : 0, total: e.bytes_total }),
      );
      const s = await modelsApi.modelStatus(name);
      setStatuses((all) => ({ ...all, [name]: s }));
    } catch (e) {
      fail(e);
    } finally {
      setDownload(null);
    }
  };

  const loadRecipe = async () => {
    try {
      const path = await dialogsApi.choosePath("recipe");
      if (!path) return;
      const loaded = await trainingApi.openRecipe(path);
      // The columns, the labels' layout and names belong to the data chosen in the first step.
      p.onRecipe({
        ...loaded,
        text_column: recipe.text_column,
        label_column: recipe.label_column,
        label_names_column: recipe.label_names_column,
        label_names_file: recipe.label_names_file,
        label_names_as_labels: recipe.label_names_as_labels,
        label_separator: recipe.label_separator,
        label_columns: recipe.label_columns,
      });
    } catch (e) {
      fail(e);
    }
  };

  switch (step) {
    case "Data":
      return (
        <DataStep
          preview={data.preview}
          textColumn={recipe.text_column}
          labelColumn={recipe.label_column}
          validationFile={data.validationFile}
          summary={data.summary}
          busy={data.busy}
          onChooseFile={() => dialogsApi.choosePath("training_data").then((path) => void (path && data.loadFile(path)), fail)}
          onUseSample={() => data.loadFile(info.sample_data, null, sampleNamesFor(info, i18n.language))}
          onDialect={(d) => data.preview && data.loadFile(data.preview.path, d)}
          onColumns={(text, label) =>
            p.onRecipe({
              ...recipe,
              text_column: text,
              label_column: label,
              // The text is not one of the 0/1 label columns.
              label_columns: recipe.label_columns.filter((c) => c !== text),
              // A names column cannot also be the text or the label.
              label_names_column: recipe.label_names_column === text || recipe.label_names_column === label ? null : recipe.label_names_column,
            })
          }
          labelNamesColumn={recipe.label_names_column}
          labelNamesFile={recipe.label_names_file}
          namesAsLabels={recipe.label_names_as_labels}
          sampleNames={data.preview?.path === info.sample_data ? info.sample_label_names : null}
          onLabelNames={(column, file) =>
            p.onRecipe({ ...recipe, label_names_column: column, label_names_file: file, label_names_as_labels: column != null || file != null ? recipe.label_names_as_labels : false })
          }
          onChooseNamesFile={() =>
            dialogsApi.choosePath("label_names").then((path) => path && p.onRecipe({ ...recipe, label_names_column: null, label_names_file: path }), fail)
          }
          onNamesAsLabels={(on) => p.onRecipe({ ...recipe, label_names_as_labels: on })}
          labelSeparator={recipe.label_separator}
          onLabelSeparator={(separator) =>
            p.onRecipe({
              ...recipe,
              label_separator: separator,
              label_columns: [],
              // Class weights and a names column are for one label per row.
              class_weights: separator === null ? recipe.class_weights : "none",
              label_names_column: separator === null ? recipe.label_names_column : null,
            })
          }
          labelColumns={recipe.label_columns}
          onLabelColumns={(columns) =>
            p.onRecipe({
              ...recipe,
              label_columns: columns,
              label_separator: null,
              class_weights: columns.length === 0 ? recipe.class_weights : "none",
              label_names_column: columns.length === 0 ? recipe.label_names_column : null,
              label_names_file: columns.length === 0 ? recipe.label_names_file : null,
              label_names_as_labels: columns.length === 0 ? recipe.label_names_as_labels : false,
            })
          }
          classWeights={recipe.class_weights}
          onClassWeights={(weights) => p.onRecipe({ ...recipe, class_weights: weights })}
          onChooseValidation={() => dialogsApi.choosePath("validation_data").then((path) => path && data.setValidationFile(path), fail)}
          onClearValidation={() => data.setValidationFile(null)}
          onNext={() => p.onStep("Model")}
        />
      );
    case "Model":
      return (
        <ModelStep
          suggestions={info.suggested_models}
          model={recipe.model}
          statuses={statuses}
          download={download}
          onModel={(name) => p.onRecipe({ ...recipe, model: name })}
          onDownload={downloadModel}
          onChooseFolder={() => dialogsApi.choosePath("model_folder").then((path) => path && p.onRecipe({ ...recipe, model: path }), fail)}
          tokenSource={tokenSource}
          onSaveToken={(token) => modelsApi.saveHubToken(token).then(setTokenSource, fail)}
          onForgetToken={() => modelsApi.forgetHubToken().then(setTokenSource, fail)}
          onBack={() => p.onStep("Data")}
          onNext={() => p.onStep("Settings")}
        />
      );
    case "Settings":
      return (
        <SettingsStep
          recipe={recipe}
          defaults={info.default_recipe}
          check={check}
          estimate={valid ? estimate : null}
          suggestions={info.suggested_models}
          busy={run.running}
          onRecipe={p.onRecipe}
          onSave={() => trainingApi.saveRecipe(recipe).catch(fail)}
          onLoad={loadRecipe}
          onBack={() => p.onStep("Model")}
          onStart={p.onStart}
          onStartSearch={p.onStartSearch}
        />
      );
    case "Training":
      return run.progress ? (
        <>
          {run.search && <SearchTrials search={run.search} onCompare={p.onCompare} />}
          <TrainingView
            progress={run.progress}
            elapsedSeconds={run.elapsedSeconds}
            cancelling={run.cancelling}
            onCancel={run.cancel}
            // A search's runs are seen side by side at its end, not one by one.
            onShowResult={run.search ? undefined : () => p.onStep("Result")}
            onBackToSettings={() => p.onStep("Settings")}
            running={run.running}
          />
        </>
      ) : null;
    case "Result":
      return run.report && run.job ? (
        <ResultView
          report={run.report}
          modelFolder={run.job.model_folder}
          exportedTo={run.exportedTo}
          onExport={run.exportModel}
          onTrainAgain={() => p.onStep("Settings")}
          onThreshold={(threshold) =>
            libraryApi.setDecisionThreshold(run.job!.model_id, threshold).catch((e) => {
              fail(e);
              throw e;
            })
          }
        />
      ) : null;
  }
}

/** The bundled NACE names in the page's language (English when there are none in it). */
function sampleNamesFor(info: AppInfo, language: string): string | null {
  const names = info.sample_label_names;
  return names[language.slice(0, 2)] ?? names.en ?? null;
}
