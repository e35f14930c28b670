import { useEffect, useRef, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { classifyApi } from "../api/classify";
import { dataApi } from "../api/data";
import { dialogsApi } from "../api/dialogs";
import type { ClassifyEstimate } from "../bindings/ClassifyEstimate";
import type { InferenceEvent } from "../bindings/InferenceEvent";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { PredictionSummary } from "../bindings/PredictionSummary";
import { Chart } from "../components/Chart";
import { predictedCountsChart } from "../logic/charts";
import { errorHint, errorMessage } from "../logic/engineText";
import { toErrorReport } from "../logic/errors";
import { ClassifiedPreview, isDoubtful } from "./ClassifiedPreview";
import { TryIt } from "./TryIt";
import { useFocusAfterChange } from "../hooks/useFocusAfterChange";
import { formatCount, formatDecimal, formatDuration, formatPercent } from "../logic/format";

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
  /** The model the file was (last) classified with. */
  modelId: string;
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
  const { t } = useTranslation();
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
    const blank: FileJob = { id, input, status: "ready", headers: [], textColumn: "", fraction: 0, rows: 0, rowsPerSecond: 0, etaSeconds: null, summary: null, modelId: "", savedTo: null, error: null };
    setJobs((all) => [blank, ...all]);
    try {
      const preview = await dataApi.previewData(input, null);
      update(id, { headers: preview.headers, textColumn: preview.guessed_text_column ?? preview.headers[0] ?? "" });
    } catch (e) {
      const report = toErrorReport(e);
      update(id, { status: "failed", error: [errorMessage(report), errorHint(report)].filter(Boolean).join(" ") });
    }
  };

  const start = (job: FileJob) => {
    if (!modelId) return;
    const { id, input } = job;
    update(id, { status: "running", error: null, modelId, summary: null, savedTo: null });
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
        update(id, report.kind === "cancelled" ? { status: "cancelled" } : { status: "failed", error: [errorMessage(report), errorHint(report)].filter(Boolean).join(" ") });
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
        <h2>{t("classify.titleEmpty")}</h2>
        <p className="muted">{t("classify.emptyLibrary")}</p>
        {jobs.length > 0 && (
          <p data-testid="classify-waiting">
            {t("classify.waiting", { count: jobs.length, files: jobs.map((j) => fileName(j.input)).join(", ") })}
          </p>
        )}
      </section>
    );
  }
  return (
    <div className="stack">
      <section className="panel drop-zone compact" data-testid="classify-view">
        <h2>{t("classify.title")}</h2>
        <div className="row">
          <label className="row">
            {t("classify.model")}
            <select value={modelId} onChange={(e) => setModelId(e.target.value)} data-testid="classify-model">
              {props.models.map((m) => (
                <option key={m.id} value={m.id}>{m.name}</option>
              ))}
            </select>
          </label>
          <button className="primary" onClick={() => dialogsApi.choosePath("texts_to_classify").then((p) => void (p && add(p)))}>{t("classify.chooseFile")}</button>
        </div>
        <p className="muted small">
          <Trans i18nKey="classify.intro" components={{ code: <code /> }} />
        </p>
        <PathField onPath={(path) => void add(path)} />
      </section>
      <TryIt modelId={modelId} />
      {jobs.map((job) => (
        <FileCard key={job.id} job={job} modelId={modelId} threshold={threshold} onThreshold={setThreshold}
          correctable={props.models.some((m) => m.id === job.modelId && !m.multi_label)}
          onTextColumn={(c) => update(job.id, { textColumn: c })}
          onStart={() => start(job)}
          onCancel={() => classifyApi.cancelClassification(job.id)}
          onSaveAs={() => job.summary && classifyApi.saveClassifiedAs(job.savedTo ?? job.summary.output, job.input, job.modelId).then((to) => to && update(job.id, { savedTo: to }), (e) => update(job.id, { error: errorMessage(toErrorReport(e)) }))} />
      ))}
    </div>
  );
}

/** How long classifying the file would take with the chosen model, timed by the engine on the
 * file's first rows before anything starts. */
function FileEstimate(props: { modelId: string; input: string; textColumn: string }) {
  const { t } = useTranslation();
  const [estimate, setEstimate] = useState<ClassifyEstimate | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const { modelId, input, textColumn } = props;
  useEffect(() => {
    let current = true;
    setEstimate(null);
    setReason(null);
    classifyApi.estimateClassification(modelId, input, textColumn || null).then(
      (e) => current && setEstimate(e),
      (e) => current && setReason(errorMessage(toErrorReport(e))),
    );
    return () => {
      current = false;
    };
  }, [modelId, input, textColumn]);
  if (reason) return <p className="small muted" data-testid="classify-estimate">{t("classify.noEstimate", { reason })}</p>;
  if (!estimate) return <p className="small muted" data-testid="classify-estimate">{t("classify.measuring")}</p>;
  return (
    <p className="small" data-testid="classify-estimate">
      <Trans
        i18nKey={estimate.rows_exact ? "classify.estimate" : "classify.estimateRoughRows"}
        values={{ duration: formatDuration(estimate.seconds), device: estimate.backend, count: estimate.rows, n: formatCount(estimate.rows) }}
        components={{ b: <b /> }}
      />
    </p>
  );
}

/** A file's path typed in (or pasted), for whoever does not use the file dialog or a drop. */
function PathField(props: { onPath: (path: string) => void }) {
  const { t } = useTranslation();
  const [path, setPath] = useState("");
  return (
    <form
      className="row path-field"
      onSubmit={(e) => {
        e.preventDefault();
        if (!path.trim()) return;
        props.onPath(path.trim());
        setPath("");
      }}
    >
      <label className="row small grow">
        {t("classify.typePath")}
        <input type="text" value={path} placeholder={t("classify.pathPlaceholder")} onChange={(e) => setPath(e.target.value)} data-testid="classify-path" />
      </label>
      <button type="submit" disabled={!path.trim()} data-testid="classify-add">{t("classify.addPath")}</button>
    </form>
  );
}

function FileCard(props: {
  job: FileJob;
  modelId: string;
  /** The model that classified the file gives one label per row: rows can be corrected. */
  correctable: boolean;
  threshold: number;
  onThreshold: (t: number) => void;
  onTextColumn: (column: string) => void;
  onStart: () => void;
  onCancel: () => void;
  onSaveAs: () => void;
}) {
  const { job } = props;
  const { t } = useTranslation();
  const s = job.summary;
  const lowRows = s ? s.first_rows.filter((r) => isDoubtful(s, r, props.threshold)).length : 0;
  // Its buttons change with its state ("Classify", then "Cancel", then "Save as…"): the focus
  // stays in the card.
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusAfterChange(() => heading.current, job.status);
  return (
    <section className="panel" data-testid="classify-file" data-status={job.status}>
      <div className="row space-between">
        <h3 ref={heading}>{fileName(job.input)}</h3>
        <div className="actions">
          {(job.status === "ready" || job.status === "cancelled" || job.status === "failed") && job.headers.length > 0 && (
            <>
              <label className="row small">
                {t("data.textColumn")}
                <select value={job.textColumn} onChange={(e) => props.onTextColumn(e.target.value)} data-testid="classify-text-column">
                  {job.headers.map((h) => <option key={h} value={h}>{h}</option>)}
                </select>
              </label>
              <button className="primary" onClick={props.onStart} data-testid="classify-start">
                {job.status === "ready" ? t("classify.start") : t("classify.again")}
              </button>
            </>
          )}
          {job.status === "running" && <button className="danger" onClick={props.onCancel}>{t("common.cancel")}</button>}
          {job.status === "done" && <button className="primary" onClick={props.onSaveAs}>{t("classify.saveAs")}</button>}
        </div>
      </div>
      <div className="progress-line">
        <progress max={1} value={job.fraction} />
        <span className="small">
          {t("classify.rows", { count: job.rows, n: formatCount(job.rows) })}
          {job.status === "running" && job.rowsPerSecond > 0
            ? ` · ${t("units.rowsPerSecond", { n: formatDecimal(job.rowsPerSecond, 0) })} · ${t("classify.left", { duration: job.etaSeconds != null ? formatDuration(job.etaSeconds) : "…" })}`
            : ""}
          {job.status === "cancelled" ? ` · ${t("classify.cancelled")}` : ""}
        </span>
      </div>
      {job.status === "ready" && job.textColumn && <FileEstimate modelId={props.modelId} input={job.input} textColumn={job.textColumn} />}
      {job.error && <div className="error-panel" role="alert"><strong>{job.error}</strong></div>}
      {s && (
        <>
          <p className="small muted" data-testid="classified-output">
            {t("classify.done", { count: s.rows, n: formatCount(s.rows), duration: formatDuration(s.seconds), speed: t("units.rowsPerSecond", { n: formatDecimal(s.rows_per_second, 0) }) })}
            {s.empty_texts > 0 ? t("classify.emptyTexts", { count: s.empty_texts, n: formatCount(s.empty_texts) }) : ""}. {t("classify.writtenTo")} <code>{job.savedTo ?? s.output}</code>
          </p>
          <div className="row">
            <label className="row small">
              {t("classify.highlightBelow")}
              <input type="range" min={0} max={1} step={0.05} value={props.threshold} onChange={(e) => props.onThreshold(Number(e.target.value))} />
              <b>{formatPercent(props.threshold, 0)}</b> {t("classify.confidence")}
            </label>
            <span className="small muted">{t("classify.lowRows", { low: formatCount(lowRows), count: s.first_rows.length })}</span>
          </div>
          <div className="result-grid">
            <ClassifiedPreview summary={s} file={job.savedTo ?? s.output} modelId={job.modelId} correctable={props.correctable} threshold={props.threshold} />
            <Chart option={predictedCountsChart(s.predicted, s.label_names)} height={300} testId="predicted-chart" points={s.predicted.length} />
          </div>
        </>
      )}
    </section>
  );
}
