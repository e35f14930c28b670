import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { compareApi } from "../api/compare";
import { dataApi } from "../api/data";
import { dialogsApi } from "../api/dialogs";
import { libraryApi } from "../api/library";
import type { Comparison } from "../bindings/Comparison";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { EvaluationReport } from "../bindings/EvaluationReport";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { TestFile } from "../bindings/TestFile";
import type { UnfinishedEntry } from "../bindings/UnfinishedEntry";
import type { UnfinishedSearch } from "../bindings/UnfinishedSearch";
import { toErrorReport } from "../logic/errors";
import { formatCount, formatDateTime, formatDuration, formatPercent } from "../logic/format";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CompareView } from "./CompareView";
import { ErrorInspector } from "./ErrorInspector";
import { UnfinishedSearches } from "./UnfinishedSearches";

/** A labelled test file with its columns (guessed by the engine's preview, changeable). */
interface ChosenTestFile {
  test: TestFile;
  headers: string[];
}

async function describeTestFile(path: string): Promise<ChosenTestFile> {
  const preview = await dataApi.previewData(path, null);
  return {
    test: { path, text_column: preview.guessed_text_column, label_column: preview.guessed_label_column ?? preview.headers[1] ?? "label" },
    headers: preview.headers,
  };
}

export function LibraryView(props: {
  models: LibraryEntry[];
  droppedFiles: string[];
  onDroppedHandled: () => void;
  onChanged: () => void;
  onError: (e: ErrorReport) => void;
  unfinished: UnfinishedEntry[];
  /** A run is training: resuming another has to wait. */
  trainingNow: boolean;
  onResume: (id: string) => void;
  onDiscard: (id: string) => void;
  /** Stopped searches, to go on with as a whole or to forget. */
  unfinishedSearches?: UnfinishedSearch[];
  onResumeSearch?: (id: string) => void;
  onDiscardSearch?: (id: string) => void;
  /** Models to compare at once (a finished search's runs), then forgotten. */
  compareRequest?: string[] | null;
  onCompareShown?: () => void;
  /** Starts a run of a model's recipe on its training file with the user's corrections. */
  onTrainAgainCorrected?: (modelId: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [selected, setSelected] = useState<string[]>([]);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState<LibraryEntry | null>(null);
  const [discarding, setDiscarding] = useState<UnfinishedEntry | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [inspection, setInspection] = useState<{ model: LibraryEntry; report: EvaluationReport } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [testFile, setTestFile] = useState<ChosenTestFile | null>(null);
  const fail = (e: unknown) => props.onError(toErrorReport(e));
  const run = async (what: string, work: () => Promise<void>) => {
    setBusy(what);
    try {
      await work();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };
  // A labelled CSV dropped here becomes the test file for evaluations.
  const { droppedFiles, onDroppedHandled } = props;
  useEffect(() => {
    if (droppedFiles.length === 0) return;
    onDroppedHandled();
    describeTestFile(droppedFiles[0]).then(setTestFile, (e) => props.onError(toErrorReport(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [droppedFiles, onDroppedHandled]);
  // A search's runs arrive to be compared: selected, and side by side at once.
  const { compareRequest, onCompareShown } = props;
  useEffect(() => {
    if (!compareRequest) return;
    onCompareShown?.();
    setSelected(compareRequest);
    void run(t("library.busy.comparing"), async () => setComparison(await compareApi.compareModels(compareRequest)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [compareRequest]);
  /** The test file, asking for one when none is chosen yet. */
  const ensureTestFile = async (): Promise<TestFile | null> => {
    if (testFile) return testFile.test;
    const path = await dialogsApi.choosePath("test_data");
    if (!path) return null;
    const chosen = await describeTestFile(path);
    setTestFile(chosen);
    return chosen.test;
  };
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <div className="stack">
      <UnfinishedSearches searches={props.unfinishedSearches ?? []} trainingNow={props.trainingNow}
        onResume={(id) => props.onResumeSearch?.(id)} onDiscard={(id) => props.onDiscardSearch?.(id)} />
      {props.unfinished.length > 0 && (
        <section className="panel" data-testid="unfinished-runs">
          <h2>{t("library.unfinished")} <span className="muted small">{t("library.unfinishedHelp")}</span></h2>
          <table className="data-table numeric">
            <thead>
              <tr>
                <th>{t("library.columns.run")}</th><th>{t("library.columns.data")}</th><th>{t("library.columns.baseModel")}</th><th>{t("library.columns.done")}</th>
                <th>{t("library.columns.macroF1SoFar")}</th><th>{t("library.columns.saved")}</th><th></th>
              </tr>
            </thead>
            <tbody>
              {props.unfinished.map((u) => (
                <tr key={u.id} data-testid={`unfinished-${u.id}`}>
                  <td>{u.id}</td>
                  <td title={u.run.train_file}>{u.run.train_file.split(/[\\/]/).pop()}</td>
                  <td title={u.run.base_model}>{u.run.base_model.split(/[\\/]/).pop()}</td>
                  <td>{t("library.epochsDone", { count: u.run.epochs_done, total: u.run.epochs })}</td>
                  <td>{formatPercent(u.run.last_metrics?.macro_f1 ?? null)}</td>
                  <td>{formatDateTime(u.run.saved_unix)}</td>
                  <td className="actions">
                    <button className="primary" disabled={props.trainingNow} title={props.trainingNow ? t("library.anotherRunTraining") : undefined}
                      data-testid={`resume-${u.id}`} onClick={() => props.onResume(u.id)}>{t("library.resume")}</button>
                    <button className="danger" onClick={() => setDiscarding(u)}>{t("library.discard")}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="panel" data-testid="library-view">
        <div className="row space-between">
          <h2>{t("library.title")} <span className="muted small">{t("library.modelCount", { count: props.models.length })}</span></h2>
          <div className="actions">
            <button onClick={() => run(t("library.busy.importing"), async () => { if (await libraryApi.importModel()) props.onChanged(); })}>{t("library.import")}</button>
            <button className="primary" disabled={selected.length < 2 || busy !== null} data-testid="compare-selected"
              onClick={() => run(t("library.busy.comparing"), async () => setComparison(await compareApi.compareModels(selected)))}>
              {selected.length >= 2 ? t("library.compareCount", { count: selected.length }) : t("library.compare")}
            </button>
          </div>
        </div>
        <div className="row test-file" data-testid="test-file">
          <span className="small">
            {t("library.testFile")}{" "}
            {testFile ? <b>{testFile.test.path.split(/[\\/]/).pop()}</b> : <span className="muted">{t("library.noTestFile")}</span>}
          </span>
          {testFile && (
            <label className="row small">
              {t("library.labelColumn")}
              <select value={testFile.test.label_column} data-testid="test-label-column"
                onChange={(e) => setTestFile({ ...testFile, test: { ...testFile.test, label_column: e.target.value } })}>
                {testFile.headers.map((h) => <option key={h} value={h}>{h}</option>)}
              </select>
            </label>
          )}
          {testFile && props.models.some((m) => m.multi_label) && <span className="help" data-testid="multi-label-test-help">{t("library.multiLabelTestFile")}</span>}
          <button onClick={() => run(t("library.busy.reading"), async () => { const path = await dialogsApi.choosePath("test_data"); if (path) setTestFile(await describeTestFile(path)); })}>
            {testFile ? t("library.anotherTestFile") : t("library.chooseTestFile")}
          </button>
        </div>
        {busy && <p className="muted small" data-testid="busy">{busy}</p>}
        {props.models.length === 0 ? (
          <p className="muted">{t("library.empty")}</p>
        ) : (
          <div className="table-wrap tall" tabIndex={0}>
            <table className="data-table numeric library-table" data-testid="library-table">
              <thead>
                <tr>
                  <th></th><th>{t("library.columns.name")}</th><th>{t("library.columns.created")}</th><th>{t("library.columns.baseModel")}</th>
                  <th>{t("library.columns.data")}</th><th>{t("library.columns.classes")}</th><th>{t("metrics.accuracy")}</th><th>{t("metrics.macro_f1")}</th>
                  <th>{t("library.columns.training")}</th><th></th>
                </tr>
              </thead>
              <tbody>
                {props.models.map((m) => (
                  <tr key={m.id} data-testid={`model-${m.id}`}>
                    <td><input type="checkbox" checked={selected.includes(m.id)} onChange={() => toggle(m.id)} aria-label={t("library.select", { name: m.name })} /></td>
                    <td className="name-cell">
                      {renaming?.id === m.id ? (
                        <input type="text" autoFocus value={renaming.name} aria-label={t("library.newName")} onChange={(e) => setRenaming({ id: m.id, name: e.target.value })}
                          onKeyDown={(e) => {
                            if (e.key === "Escape") setRenaming(null);
                            if (e.key === "Enter") run(t("library.busy.renaming"), async () => { await libraryApi.renameModel(m.id, renaming.name); setRenaming(null); props.onChanged(); });
                          }} />
                      ) : (
                        <button className="link" title={t("library.rename")} onClick={() => setRenaming({ id: m.id, name: m.name })}>{m.name}</button>
                      )}
                    </td>
                    <td>{m.created_unix ? formatDateTime(m.created_unix) : "–"}</td>
                    <td title={m.base_model}>{m.base_model.split(/[\\/]/).pop()}</td>
                    <td>{m.dataset ? `${m.dataset} (${formatCount(m.train_rows ?? 0)})` : t("library.imported")}</td>
                    <td>{m.classes}</td>
                    <td title={m.multi_label ? t("library.multiLabelAccuracyHelp") : undefined}>
                      {formatPercent(m.accuracy)}{m.multi_label && m.accuracy != null && <small className="muted"> {t("library.multiLabelAccuracy")}</small>}
                    </td>
                    <td>{formatPercent(m.macro_f1)}</td>
                    <td>{m.wall_seconds != null ? `${formatDuration(m.wall_seconds)} · ${m.backend}` : "–"}</td>
                    <td className="actions">
                      <button data-testid={`inspect-${m.id}`} onClick={() => run(t("library.busy.evaluating"), async () => { const test = await ensureTestFile(); if (test) setInspection({ model: m, report: await compareApi.inspectErrors(m.id, test) }); })}>{t("library.errors")}</button>
                      <button onClick={() => libraryApi.revealModel(m.id).catch(fail)}>{t("library.showFolder")}</button>
                      <button onClick={() => libraryApi.exportModel(m.id).catch(fail)}>{t("library.export")}</button>
                      <button className="danger" onClick={() => setDeleting(m)}>{t("library.delete")}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {discarding && (
        <ConfirmDialog
          title={t("library.discardQuestion.title", { id: discarding.id })}
          text={t("library.discardQuestion.text", { count: discarding.run.epochs_done, total: discarding.run.epochs })}
          keepLabel={t("library.keepIt")}
          confirmLabel={t("library.discard")}
          onKeep={() => setDiscarding(null)}
          onConfirm={() => { props.onDiscard(discarding.id); setDiscarding(null); }}
          testId="discard-question"
        />
      )}
      {comparison && (
        <CompareView comparison={comparison} busy={busy !== null}
          onEvaluateOnFile={() => run(t("library.busy.evaluatingAll"), async () => {
            const test = await ensureTestFile();
            if (test) setComparison(await compareApi.compareOnFile(comparison.models.map((m) => m.id), test));
          })} />
      )}
      {inspection && (
        // A new model or file is a new inspector: no row, explanation or correction carried over.
        <ErrorInspector key={`${inspection.model.id}\n${inspection.report.input}\n${inspection.report.seconds}`} model={inspection.model} report={inspection.report} onClose={() => setInspection(null)}
          trainingNow={props.trainingNow} onTrainAgain={props.onTrainAgainCorrected} />
      )}
      {deleting && (
        <ConfirmDialog
          title={t("library.deleteQuestion.title", { name: deleting.name })}
          text={t("library.deleteQuestion.text")}
          keepLabel={t("library.keepIt")}
          confirmLabel={t("library.delete")}
          onKeep={() => setDeleting(null)}
          onConfirm={() => run(t("library.busy.deleting"), async () => { await libraryApi.deleteModel(deleting.id); setDeleting(null); setSelected((s) => s.filter((x) => x !== deleting.id)); props.onChanged(); })}
          testId="delete-question"
        />
      )}
    </div>
  );
}
