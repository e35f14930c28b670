import { useEffect, useRef, useState } from "react";
import { classifyApi } from "../api/classify";
import { dataApi } from "../api/data";
import { dialogsApi } from "../api/dialogs";
import type { InferenceEvent } from "../bindings/InferenceEvent";
import type { LabelScore } from "../bindings/LabelScore";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { PredictionSummary } from "../bindings/PredictionSummary";
import { Chart } from "../components/Chart";
import { predictedCountsChart, topLabelsChart } from "../logic/charts";
import { toErrorReport } from "../logic/errors";
import { formatCount, formatDuration } from "../logic/format";

interface FileJob {
  id: number;
  input: string;
  /** "ready": the columns are shown and the text column can be changed before starting. */
  status: "ready" | "running" | "done" | "failed" | "cancelled";
  headers: string[];
  textColumn: string;
  fraction: number;
  rows: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  summary: PredictionSummary | null;
  savedTo: string | null;
  error: string | null;
}

let nextJobId = 1;

function fileName(path: string) {
  return path.split(/[\\/]/).pop() ?? path;
}

export function ClassifyView(props: {
  models: LibraryEntry[];
  droppedFiles: string[];
  onDroppedHandled: () => void;
}) {
  const [modelId, setModelId] = useState(props.models[0]?.id ?? "");
  const [jobs, setJobs] = useState<FileJob[]>([]);
  const [threshold, setThreshold] = useState(0.5);
  const update = (id: number, change: Partial<FileJob>) => setJobs((all) => all.map((j) => (j.id === id ? { ...j, ...change } : j)));

  useEffect(() => {
    if (!modelId && props.models[0]) setModelId(props.models[0].id);
  }, [props.models, modelId]);

  /** A new file: its columns are read and the text column guessed, then it waits for "Classify". */
  const add = async (input: string) => {
    const id = nextJobId++;
    const blank: FileJob = { id, input, status: "ready", headers: [], textColumn: "", fraction: 0, rows: 0, rowsPerSecond: 0, etaSeconds: null, summary: null, savedTo: null, error: null };
    setJobs((all) => [blank, ...all]);
    try {
      const preview = await dataApi.previewData(input, null);
      update(id, { headers: preview.headers, textColumn: preview.guessed_text_column ?? preview.headers[0] ?? "" });
    } catch (e) {
      const report = toErrorReport(e);
      update(id, { status: "failed", error: [report.message, report.hint].filter(Boolean).join(" ") });
    }
  };

  const start = (job: FileJob) => {
    if (!modelId) return;
    const { id, input } = job;
    update(id, { status: "running", error: null });
    const onEvent = (e: InferenceEvent) => {
      if (e.event === "progress") {
        update(id, { fraction: e.bytes_total > 0 ? e.bytes_done / e.bytes_total : 0, rows: e.rows_done, rowsPerSecond: e.rows_per_second, etaSeconds: e.eta_seconds });
      } else if (e.event === "cancelled") {
        update(id, { status: "cancelled" });
      }
    };
    classifyApi.classifyFile(id, modelId, input, job.textColumn || null, onEvent).then(
      (summary) => update(id, { status: "done", fraction: 1, rows: summary.rows, summary }),
      (err) => {
        const report = toErrorReport(err);
        update(id, report.kind === "cancelled" ? { status: "cancelled" } : { status: "failed", error: [report.message, report.hint].filter(Boolean).join(" ") });
      },
    );
  };

  // Files dropped on the window while this view is open.
  const addRef = useRef(add);
  addRef.current = add;
  const { droppedFiles, onDroppedHandled } = props;
  useEffect(() => {
    if (droppedFiles.length === 0) return;
    droppedFiles.forEach((f) => void addRef.current(f));
    onDroppedHandled();
  }, [droppedFiles, onDroppedHandled]);

  if (props.models.length === 0) {
    return (
      <section className="panel" data-testid="classify-view">
        <h2>Classify files</h2>
        <p className="muted">Train or import a model first: the library is empty.</p>
        {jobs.length > 0 && (
          <p data-testid="classify-waiting">
            {jobs.map((j) => fileName(j.input)).join(", ")} {jobs.length === 1 ? "is" : "are"} waiting here: once a model is in the library, choose it above each file and classify.
          </p>
        )}
      </section>
    );
  }
  return (
    <div className="stack">
      <section className="panel drop-zone compact" data-testid="classify-view">
        <h2>Classify CSV files</h2>
        <div className="row">
          <label className="row">
            Model
            <select value={modelId} onChange={(e) => setModelId(e.target.value)} data-testid="classify-model">
              {props.models.map((m) => (
                <option key={m.id} value={m.id}>{m.name}</option>
              ))}
            </select>
          </label>
          <button className="primary" onClick={() => dialogsApi.choosePath("texts_to_classify").then((p) => void (p && add(p)))}>Choose a CSV file…</button>
        </div>
        <p className="muted small">…or drop one or more CSV files on this window. Each row gets the predicted label, its probability and the two runners-up; the result is written beside the input as <code>&lt;name&gt;_classified.csv</code>, never over it.</p>
      </section>
      <TryIt modelId={modelId} />
      {jobs.map((job) => (
        <FileCard key={job.id} job={job} threshold={threshold} onThreshold={setThreshold}
          onTextColumn={(c) => update(job.id, { textColumn: c })}
          onStart={() => start(job)}
          onCancel={() => classifyApi.cancelClassification(job.id)}
          onSaveAs={() => job.summary && classifyApi.saveClassifiedAs(job.summary.output, job.input).then((to) => to && update(job.id, { savedTo: to }), (e) => update(job.id, { error: toErrorReport(e).message }))} />
      ))}
    </div>
  );
}

function FileCard(props: {
  job: FileJob;
  threshold: number;
  onThreshold: (t: number) => void;
  onTextColumn: (column: string) => void;
  onStart: () => void;
  onCancel: () => void;
  onSaveAs: () => void;
}) {
  const { job } = props;
  const s = job.summary;
  // The engine says where the score is: input columns may have any names.
  const scoreAt = s ? s.score_column : -1;
  const lowRows = s && scoreAt >= 0 ? s.first_rows.filter((r) => Number(r[scoreAt]) < props.threshold).length : 0;
  return (
    <section className="panel" data-testid="classify-file" data-status={job.status}>
      <div className="row space-between">
        <h3>{fileName(job.input)}</h3>
        <div className="actions">
          {(job.status === "ready" || job.status === "cancelled" || job.status === "failed") && job.headers.length > 0 && (
            <>
              <label className="row small">
                Text column
                <select value={job.textColumn} onChange={(e) => props.onTextColumn(e.target.value)} data-testid="classify-text-column">
                  {job.headers.map((h) => <option key={h} value={h}>{h}</option>)}
                </select>
              </label>
              <button className="primary" onClick={props.onStart} data-testid="classify-start">
                {job.status === "ready" ? "Classify" : "Classify again"}
              </button>
            </>
          )}
          {job.status === "running" && <button className="danger" onClick={props.onCancel}>Cancel</button>}
          {job.status === "done" && <button className="primary" onClick={props.onSaveAs}>Save as…</button>}
        </div>
      </div>
      <div className="progress-line">
        <progress max={1} value={job.fraction} />
        <span className="small">
          {formatCount(job.rows)} rows{job.status === "running" && job.rowsPerSecond > 0 ? ` · ${job.rowsPerSecond.toFixed(0)} rows/s · ${job.etaSeconds != null ? formatDuration(job.etaSeconds) : "…"} left` : ""}
          {job.status === "cancelled" ? " · cancelled, nothing was written" : ""}
        </span>
      </div>
      {job.error && <div className="error-panel" role="alert"><strong>{job.error}</strong></div>}
      {s && (
        <>
          <p className="small muted" data-testid="classified-output">
            {formatCount(s.rows)} rows in {formatDuration(s.seconds)} ({s.rows_per_second.toFixed(0)} rows/s){s.empty_texts > 0 ? `, ${s.empty_texts} with an empty text` : ""}. Written to <code>{job.savedTo ?? s.output}</code>
          </p>
          <div className="row">
            <label className="row small">
              Highlight rows below
              <input type="range" min={0} max={1} step={0.05} value={props.threshold} onChange={(e) => props.onThreshold(Number(e.target.value))} />
              <b>{Math.round(props.threshold * 100)} %</b> confidence
            </label>
            <span className="small muted">{lowRows} of the first {s.first_rows.length} rows</span>
          </div>
          <div className="result-grid">
            <div className="table-wrap tall">
              <table className="data-table">
                <thead>
                  <tr>{s.header.map((h, i) => <th key={i}>{h}</th>)}</tr>
                </thead>
                <tbody>
                  {s.first_rows.map((row, i) => (
                    <tr key={i} className={scoreAt >= 0 && Number(row[scoreAt]) < props.threshold ? "low-confidence" : ""}>
                      {row.map((cell, j) => <td key={j} title={cell}>{cell}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Chart option={predictedCountsChart(s.predicted)} height={300} testId="predicted-chart" points={s.predicted.length} />
          </div>
        </>
      )}
    </section>
  );
}

function TryIt(props: { modelId: string }) {
  const [text, setText] = useState("");
  const [scores, setScores] = useState<LabelScore[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!text.trim() || !props.modelId) {
      setScores(null);
      return;
    }
    let current = true;
    // A short pause after typing, so each keystroke does not start a model run.
    const timer = setTimeout(() => {
      classifyApi.tryText(props.modelId, text).then(
        (s) => current && (setScores(s), setError(null)),
        (e) => current && setError(toErrorReport(e).message),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, props.modelId]);
  return (
    <section className="panel try-it">
      <h3>Try a text</h3>
      <div className="try-grid">
        <textarea value={text} onChange={(e) => setText(e.target.value)} placeholder="Type or paste a text, e.g. « Fabrication de pain et de pâtisserie fraîche »" rows={4} data-testid="try-text" />
        <div data-testid="try-result">
          {error && <div className="problem">{error}</div>}
          {scores && <Chart option={topLabelsChart(scores)} height={160} points={scores.length} testId="try-chart" />}
          {!scores && !error && <p className="muted small">The five most likely labels appear here as you type.</p>}
        </div>
      </div>
    </section>
  );
}
