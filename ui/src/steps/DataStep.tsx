import type { CsvDialect } from "../bindings/CsvDialect";
import type { CsvPreview } from "../bindings/CsvPreview";
import type { DataSummary } from "../bindings/DataSummary";
import type { TextEncoding } from "../bindings/TextEncoding";
import { Chart } from "../components/Chart";
import { classSizesChart } from "../logic/charts";
import { formatCount } from "../logic/format";

const DELIMITERS: { value: string; label: string }[] = [
  { value: ",", label: "comma ( , )" },
  { value: ";", label: "semicolon ( ; )" },
  { value: "\t", label: "tab" },
  { value: "|", label: "pipe ( | )" },
];
const ENCODINGS: { value: TextEncoding; label: string }[] = [
  { value: "utf8", label: "UTF-8" },
  { value: "windows1252", label: "Windows-1252 / Latin-1" },
  { value: "utf16le", label: "UTF-16 (little-endian)" },
  { value: "utf16be", label: "UTF-16 (big-endian)" },
];

export interface DataStepProps {
  preview: CsvPreview | null;
  textColumn: string;
  labelColumn: string;
  validationFile: string | null;
  summary: DataSummary | null;
  busy: boolean;
  onChooseFile: () => void;
  onUseSample: () => void;
  onDialect: (dialect: CsvDialect) => void;
  onColumns: (text: string, label: string) => void;
  onChooseValidation: () => void;
  onClearValidation: () => void;
  onNext: () => void;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function DataStep(p: DataStepProps) {
  if (!p.preview) {
    return (
      <section className="panel drop-zone" data-testid="data-step">
        <h2>Your labelled data</h2>
        <p className="muted">
          A CSV file with one column of texts and one column of labels (the classes to learn). Drop it anywhere on this
          window, or:
        </p>
        <div className="actions">
          <button className="primary" onClick={p.onChooseFile} disabled={p.busy}>
            Choose a CSV file…
          </button>
          <button onClick={p.onUseSample} disabled={p.busy} data-testid="use-sample">
            Use the sample data
          </button>
        </div>
        <p className="muted small">The sample: 3,558 French descriptions of business activities, labelled with their NACE division.</p>
      </section>
    );
  }
  const { preview } = p;
  return (
    <section className="panel" data-testid="data-step">
      <div className="row space-between">
        <h2>
          {fileName(preview.path)} <span className="muted small">{preview.path}</span>
        </h2>
        <div className="actions">
          <button onClick={p.onChooseFile} disabled={p.busy}>Another file…</button>
          <button onClick={p.onUseSample} disabled={p.busy}>Sample data</button>
        </div>
      </div>
      <div className="form-grid">
        <label>
          Separator
          <select
            value={preview.dialect.delimiter}
            onChange={(e) => p.onDialect({ ...preview.dialect, delimiter: e.target.value })}
            data-testid="delimiter"
          >
            {DELIMITERS.map((d) => (
              <option key={d.label} value={d.value}>{d.label}</option>
            ))}
          </select>
          <span className="help">Detected from the file; change it if the table below looks wrong.</span>
        </label>
        <label>
          Encoding
          <select
            value={preview.dialect.encoding}
            onChange={(e) => p.onDialect({ ...preview.dialect, encoding: e.target.value as TextEncoding })}
          >
            {ENCODINGS.map((d) => (
              <option key={d.value} value={d.value}>{d.label}</option>
            ))}
          </select>
          <span className="help">If accents look garbled (Ã©), try another one.</span>
        </label>
        <label>
          Text column
          <select value={p.textColumn} onChange={(e) => p.onColumns(e.target.value, p.labelColumn)} data-testid="text-column">
            {preview.headers.map((h) => (
              <option key={h} value={h}>{h}</option>
            ))}
          </select>
          <span className="help">The texts the model reads.</span>
        </label>
        <label>
          Label column
          <select value={p.labelColumn} onChange={(e) => p.onColumns(p.textColumn, e.target.value)} data-testid="label-column">
            {preview.headers.map((h) => (
              <option key={h} value={h}>{h}</option>
            ))}
          </select>
          <span className="help">The classes it learns to predict.</span>
        </label>
      </div>
      <div className="table-wrap">
        <table className="data-table" data-testid="preview-table">
          <thead>
            <tr>
              {preview.headers.map((h) => (
                <th key={h} className={h === p.textColumn ? "is-text" : h === p.labelColumn ? "is-label" : ""}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.slice(0, 8).map((row, i) => (
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={j} title={cell}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.summary && (
        <>
          <div className="stats" data-testid="data-summary">
            <div><b>{formatCount(p.summary.rows_read)}</b> rows read</div>
            <div><b>{p.summary.classes.length}</b> classes</div>
            <div><b>{formatCount(p.summary.train_rows)}</b> for training</div>
            <div><b>{formatCount(p.summary.validation_rows)}</b> for validation{p.summary.validation_file ? " (separate file)" : " (held out)"}</div>
          </div>
          {p.summary.warnings.length > 0 && (
            <ul className="warnings">
              {p.summary.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <Chart option={classSizesChart(p.summary.classes)} height={240} testId="class-sizes" points={p.summary.classes.length} />
        </>
      )}
      <div className="row space-between">
        <div className="muted small">
          Validation:{" "}
          {p.validationFile ? (
            <>
              {fileName(p.validationFile)} <button className="link" onClick={p.onClearValidation}>use held-out rows instead</button>
            </>
          ) : (
            <>
              a share of the rows is held out.{" "}
              <button className="link" onClick={p.onChooseValidation}>Use a separate validation file…</button>
            </>
          )}
        </div>
        <button className="primary" disabled={!p.summary || p.busy} onClick={p.onNext} data-testid="data-next">
          Next: choose the model →
        </button>
      </div>
    </section>
  );
}
