import { useEffect, useState } from "react";
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
import { toErrorReport } from "../logic/errors";
import { formatCount, formatDuration, formatPercent } from "../logic/format";
import { CompareView } from "./CompareView";
import { ErrorInspector } from "./ErrorInspector";

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
}) {
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
      {props.unfinished.length > 0 && (
        <section className="panel" data-testid="unfinished-runs">
          <h2>Unfinished runs <span className="muted small">stopped before the end; they go on from their last finished epoch</span></h2>
          <table className="data-table numeric">
            <thead>
              <tr><th>Run</th><th>Data</th><th>Base model</th><th>Done</th><th>Macro F1 so far</th><th>Saved</th><th></th></tr>
            </thead>
            <tbody>
              {props.unfinished.map((u) => (
                <tr key={u.id} data-testid={`unfinished-${u.id}`}>
                  <td>{u.id}</td>
                  <td title={u.run.train_file}>{u.run.train_file.split(/[\\/]/).pop()}</td>
                  <td title={u.run.base_model}>{u.run.base_model.split(/[\\/]/).pop()}</td>
                  <td>{u.run.epochs_done} of {u.run.epochs} epochs</td>
                  <td>{formatPercent(u.run.last_metrics?.macro_f1 ?? null)}</td>
                  <td>{new Date(u.run.saved_unix * 1000).toLocaleString()}</td>
                  <td className="actions">
                    <button className="primary" disabled={props.trainingNow} title={props.trainingNow ? "Another run is training" : undefined}
                      data-testid={`resume-${u.id}`} onClick={() => props.onResume(u.id)}>Resume</button>
                    <button className="danger" onClick={() => setDiscarding(u)}>Discard</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="panel" data-testid="library-view">
        <div className="row space-between">
          <h2>Model library <span className="muted small">{props.models.length} model(s)</span></h2>
          <div className="actions">
            <button onClick={() => run("Importing…", async () => { if (await libraryApi.importModel()) props.onChanged(); })}>Import a model folder…</button>
            <button className="primary" disabled={selected.length < 2 || busy !== null} data-testid="compare-selected"
              onClick={() => run("Comparing…", async () => setComparison(await compareApi.compareModels(selected)))}>
              Compare {selected.length >= 2 ? selected.length : ""} selected
            </button>
          </div>
        </div>
        <div className="row test-file" data-testid="test-file">
          <span className="small">
            Test file for evaluations:{" "}
            {testFile ? <b>{testFile.test.path.split(/[\\/]/).pop()}</b> : <span className="muted">none yet — drop a labelled CSV on this window or</span>}
          </span>
          {testFile && (
            <label className="row small">
              label column
              <select value={testFile.test.label_column} data-testid="test-label-column"
                onChange={(e) => setTestFile({ ...testFile, test: { ...testFile.test, label_column: e.target.value } })}>
                {testFile.headers.map((h) => <option key={h} value={h}>{h}</option>)}
              </select>
            </label>
          )}
          <button onClick={() => run("Reading the file…", async () => { const path = await dialogsApi.choosePath("test_data"); if (path) setTestFile(await describeTestFile(path)); })}>
            {testFile ? "Another test file…" : "Choose a test file…"}
          </button>
        </div>
        {busy && <p className="muted small" data-testid="busy">{busy}</p>}
        {props.models.length === 0 ? (
          <p className="muted">No models yet: finished training runs and imported models appear here.</p>
        ) : (
          <div className="table-wrap tall">
            <table className="data-table numeric library-table" data-testid="library-table">
              <thead>
                <tr>
                  <th></th><th>Name</th><th>Created</th><th>Base model</th><th>Data</th><th>Classes</th><th>Accuracy</th><th>Macro F1</th><th>Training</th><th></th>
                </tr>
              </thead>
              <tbody>
                {props.models.map((m) => (
                  <tr key={m.id} data-testid={`model-${m.id}`}>
                    <td><input type="checkbox" checked={selected.includes(m.id)} onChange={() => toggle(m.id)} aria-label={`select ${m.name}`} /></td>
                    <td className="name-cell">
                      {renaming?.id === m.id ? (
                        <input type="text" autoFocus value={renaming.name} onChange={(e) => setRenaming({ id: m.id, name: e.target.value })}
                          onKeyDown={(e) => {
                            if (e.key === "Escape") setRenaming(null);
                            if (e.key === "Enter") run("Renaming…", async () => { await libraryApi.renameModel(m.id, renaming.name); setRenaming(null); props.onChanged(); });
                          }} />
                      ) : (
                        <button className="link" title="Rename" onClick={() => setRenaming({ id: m.id, name: m.name })}>{m.name}</button>
                      )}
                    </td>
                    <td>{m.created_unix ? new Date(m.created_unix * 1000).toLocaleString() : "–"}</td>
                    <td title={m.base_model}>{m.base_model.split(/[\\/]/).pop()}</td>
                    <td>{m.dataset ? `${m.dataset} (${formatCount(m.train_rows ?? 0)})` : "imported"}</td>
                    <td>{m.classes}</td>
                    <td>{formatPercent(m.accuracy)}</td>
                    <td>{formatPercent(m.macro_f1)}</td>
                    <td>{m.wall_seconds != null ? `${formatDuration(m.wall_seconds)} · ${m.backend}` : "–"}</td>
                    <td className="actions">
                      <button data-testid={`inspect-${m.id}`} onClick={() => run("Evaluating…", async () => { const test = await ensureTestFile(); if (test) setInspection({ model: m, report: await compareApi.inspectErrors(m.id, test) }); })}>Errors…</button>
                      <button onClick={() => libraryApi.revealModel(m.id).catch(fail)}>Show folder</button>
                      <button onClick={() => libraryApi.exportModel(m.id).catch(fail)}>Export…</button>
                      <button className="danger" onClick={() => setDeleting(m)}>Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {discarding && (
        <div className="modal-backdrop" role="dialog" aria-modal="true">
          <div className="modal">
            <h3>Discard the unfinished run “{discarding.id}”?</h3>
            <p>Its checkpoint ({discarding.run.epochs_done} of {discarding.run.epochs} epochs) is deleted; the run cannot be resumed afterwards.</p>
            <div className="actions end">
              <button onClick={() => setDiscarding(null)}>Keep it</button>
              <button className="danger" onClick={() => { props.onDiscard(discarding.id); setDiscarding(null); }}>Discard</button>
            </div>
          </div>
        </div>
      )}
      {comparison && (
        <CompareView comparison={comparison} busy={busy !== null}
          onEvaluateOnFile={() => run("Evaluating every model on the test file…", async () => {
            const test = await ensureTestFile();
            if (test) setComparison(await compareApi.compareOnFile(comparison.models.map((m) => m.id), test));
          })} />
      )}
      {inspection && <ErrorInspector model={inspection.model} report={inspection.report} onClose={() => setInspection(null)} />}
      {deleting && (
        <div className="modal-backdrop" role="dialog" aria-modal="true">
          <div className="modal">
            <h3>Delete “{deleting.name}”?</h3>
            <p>Its folder is removed from the library for good. Exported copies elsewhere stay.</p>
            <div className="actions end">
              <button onClick={() => setDeleting(null)}>Keep it</button>
              <button className="danger" onClick={() => run("Deleting…", async () => { await libraryApi.deleteModel(deleting.id); setDeleting(null); setSelected((s) => s.filter((x) => x !== deleting.id)); props.onChanged(); })}>Delete</button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
