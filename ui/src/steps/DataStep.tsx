import { useRef } from "react";
import { Trans, useTranslation } from "react-i18next";
import type { ClassWeights } from "../bindings/ClassWeights";
import type { CsvDialect } from "../bindings/CsvDialect";
import type { CsvPreview } from "../bindings/CsvPreview";
import type { DataSummary } from "../bindings/DataSummary";
import type { TextEncoding } from "../bindings/TextEncoding";
import { Chart } from "../components/Chart";
import { classSizesChart } from "../logic/charts";
import { engineText } from "../logic/engineText";
import { withName } from "../logic/labelNames";
import { formatCount } from "../logic/format";
import { useFocusAfterChange } from "../hooks/useFocusAfterChange";
import { LABEL_SEPARATORS, labelCells, proposedSeparator, zeroOneColumns } from "../logic/multiLabel";
import { ClassBalance } from "./ClassBalance";

/** The separators offered, each with its catalogue key (data.delimiters.<name>). */
const DELIMITERS: { value: string; name: string }[] = [
  { value: ",", name: "comma" },
  { value: ";", name: "semicolon" },
  { value: "\t", name: "tab" },
  { value: "|", name: "pipe" },
];
const ENCODINGS: TextEncoding[] = ["utf8", "windows1252", "utf16le", "utf16be"];

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
  /** Where the labels' names come from: a column of this file, a names file, or nowhere. */
  labelNamesColumn: string | null;
  labelNamesFile: string | null;
  namesAsLabels: boolean;
  /** The bundled names files ("en", "fr" → path), offered when the file is the sample. */
  sampleNames: Record<string, string> | null;
  onLabelNames: (column: string | null, file: string | null) => void;
  onChooseNamesFile: () => void;
  onNamesAsLabels: (on: boolean) => void;
  /** Several labels per row: what separates them in a label cell (null: one label per row). */
  labelSeparator: string | null;
  onLabelSeparator: (separator: string | null) => void;
  /** Several labels per row, as one 0/1 column per label: those columns (empty: not so). */
  labelColumns: string[];
  onLabelColumns: (columns: string[]) => void;
  /** The recipe's class weights, which the class balance suggests when classes are very uneven. */
  classWeights: ClassWeights;
  onClassWeights: (weights: ClassWeights) => void;
  onChooseValidation: () => void;
  onClearValidation: () => void;
  onNext: () => void;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export function DataStep(p: DataStepProps) {
  const { t } = useTranslation();
  const isLabel = (h: string) => (p.labelColumns.length > 0 ? p.labelColumns.includes(h) : h === p.labelColumn);
  // The file's page replaces the first one (and its "Use the sample" button): focus to its heading.
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusAfterChange(() => heading.current, p.preview !== null);
  if (!p.preview) {
    return (
      <section className="panel drop-zone" data-testid="data-step">
        <h2 ref={heading}>{t("data.title")}</h2>
        <p className="muted">{t("data.intro")}</p>
        <div className="actions">
          <button className="primary" onClick={p.onChooseFile} disabled={p.busy}>
            {t("data.chooseFile")}
          </button>
          <button onClick={p.onUseSample} disabled={p.busy} data-testid="use-sample">
            {t("data.useSample")}
          </button>
        </div>
        <p className="muted small">{t("data.sampleNote", { count: 3558, rows: formatCount(3558) })}</p>
      </section>
    );
  }
  const { preview } = p;
  return (
    <section className="panel" data-testid="data-step">
      <div className="row space-between">
        <h2 ref={heading}>
          {fileName(preview.path)} <span className="muted small">{preview.path}</span>
        </h2>
        <div className="actions">
          <button onClick={p.onChooseFile} disabled={p.busy}>{t("data.anotherFile")}</button>
          <button onClick={p.onUseSample} disabled={p.busy}>{t("data.sample")}</button>
        </div>
      </div>
      <div className="form-grid">
        <label>
          {t("data.separator")}
          <select
            value={preview.dialect.delimiter}
            onChange={(e) => p.onDialect({ ...preview.dialect, delimiter: e.target.value })}
            data-testid="delimiter"
          >
            {DELIMITERS.map((d) => (
              <option key={d.name} value={d.value}>{t(`data.delimiters.${d.name}`)}</option>
            ))}
          </select>
          <span className="help">{t("data.separatorHelp")}</span>
        </label>
        <label>
          {t("data.encoding")}
          <select
            value={preview.dialect.encoding}
            onChange={(e) => p.onDialect({ ...preview.dialect, encoding: e.target.value as TextEncoding })}
          >
            {ENCODINGS.map((d) => (
              <option key={d} value={d}>{t(`data.encodings.${d}`)}</option>
            ))}
          </select>
          <span className="help">{t("data.encodingHelp")}</span>
        </label>
        <label>
          {t("data.textColumn")}
          <select value={p.textColumn} onChange={(e) => p.onColumns(e.target.value, p.labelColumn)} data-testid="text-column">
            {preview.headers.map((h) => (
              <option key={h} value={h}>{h}</option>
            ))}
          </select>
          <span className="help">{t("data.textColumnHelp")}</span>
        </label>
        {p.labelColumns.length === 0 && (
          <label>
            {t("data.labelColumn")}
            <select value={p.labelColumn} onChange={(e) => p.onColumns(p.textColumn, e.target.value)} data-testid="label-column">
              {preview.headers.map((h) => (
                <option key={h} value={h}>{h}</option>
              ))}
            </select>
            <span className="help">{t("data.labelColumnHelp")}</span>
          </label>
        )}
        <LabelsPerRow {...p} />
        {p.labelColumns.length > 0 ? <LabelColumnsChoice {...p} /> : <LabelNamesChoice {...p} />}
      </div>
      <SeparatorProposal {...p} />
      <div className="table-wrap" tabIndex={0}>
        <table className="data-table" data-testid="preview-table">
          <thead>
            <tr>
              {preview.headers.map((h) => (
                <th key={h} className={h === p.textColumn ? "is-text" : isLabel(h) ? "is-label" : ""}>{h}</th>
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
            <div><Trans i18nKey="data.rowsRead" values={{ count: p.summary.rows_read, n: formatCount(p.summary.rows_read) }} components={{ b: <b /> }} /></div>
            <div><Trans i18nKey="data.classes" values={{ count: p.summary.classes.length, n: formatCount(p.summary.classes.length) }} components={{ b: <b /> }} /></div>
            <div><Trans i18nKey="data.forTraining" values={{ count: p.summary.train_rows, n: formatCount(p.summary.train_rows) }} components={{ b: <b /> }} /></div>
            <div>
              <Trans
                i18nKey={p.summary.validation_file ? "data.forValidationFile" : "data.forValidationHeldOut"}
                values={{ count: p.summary.validation_rows, n: formatCount(p.summary.validation_rows) }}
                components={{ b: <b /> }}
              />
            </div>
          </div>
          {p.summary.warnings.length > 0 && (
            <ul className="warnings">
              {p.summary.warnings.map((w) => (
                <li key={w.text}>{engineText(w)}</li>
              ))}
            </ul>
          )}
          <Chart option={classSizesChart(p.summary.classes, p.summary.label_names)} height={240} testId="class-sizes" points={p.summary.classes.length} />
          {!p.summary.multi_label && (
            <ClassBalance classes={p.summary.classes} names={p.summary.label_names} classWeights={p.classWeights} onClassWeights={p.onClassWeights} />
          )}
          <NamedClasses summary={p.summary} />
        </>
      )}
      <div className="row space-between">
        <div className="muted small">
          {t("data.validation")}{" "}
          {p.validationFile ? (
            <>
              {fileName(p.validationFile)} <button className="link" onClick={p.onClearValidation}>{t("data.useHeldOut")}</button>
            </>
          ) : (
            <>
              {t("data.heldOut")}{" "}
              <button className="link" onClick={p.onChooseValidation}>{t("data.chooseValidation")}</button>
            </>
          )}
        </div>
        <button className="primary" disabled={!p.summary || p.busy} onClick={p.onNext} data-testid="data-next">
          {t("data.next")}
        </button>
      </div>
    </section>
  );
}

/** The names choice: none, one of the file's other columns, a names file (the bundled NACE
 * names for the sample), and whether the names become the model's labels. */
/** One label per row, several separated by a character (not the file's own delimiter), or one
 * 0/1 column per label. */
function LabelsPerRow(p: DataStepProps) {
  const { t } = useTranslation();
  const delimiter = p.preview?.dialect.delimiter;
  const choose = (value: string) => {
    if (value !== "columns") return p.onLabelSeparator(value === "" ? null : value);
    // The columns that look like 0/1 labels; when fewer than two do, every other column, to untick.
    const preview = p.preview!;
    const found = zeroOneColumns(preview.headers, preview.rows, p.textColumn);
    p.onLabelColumns(found.length >= 2 ? found : preview.headers.filter((h) => h !== p.textColumn));
  };
  return (
    <label>
      {t("data.labelsPerRow")}
      <select
        value={p.labelColumns.length > 0 ? "columns" : (p.labelSeparator ?? "")}
        onChange={(e) => choose(e.target.value)}
        data-testid="label-separator"
      >
        <option value="">{t("data.oneLabelPerRow")}</option>
        {LABEL_SEPARATORS.filter((s) => s.value !== delimiter).map((s) => (
          <option key={s.name} value={s.value}>{t("data.severalLabels", { separator: t(`data.labelSeparators.${s.name}`) })}</option>
        ))}
        <option value="columns">{t("data.labelColumnsOption")}</option>
      </select>
      <span className="help">{t("data.labelsPerRowHelp")}</span>
    </label>
  );
}

/** The 0/1 label columns, ticked from the file's other columns. */
function LabelColumnsChoice(p: DataStepProps) {
  const { t } = useTranslation();
  const columns = (p.preview?.headers ?? []).filter((h) => h !== p.textColumn);
  const toggle = (h: string, on: boolean) => {
    const chosen = on ? columns.filter((c) => c === h || p.labelColumns.includes(c)) : p.labelColumns.filter((c) => c !== h);
    // Unticking the last column returns to one label per row.
    p.onLabelColumns(chosen);
  };
  return (
    <fieldset className="label-columns" data-testid="label-columns">
      <legend>{t("data.labelColumns")}</legend>
      {columns.map((h) => (
        <label key={h} className="checkbox inline">
          <input type="checkbox" checked={p.labelColumns.includes(h)} onChange={(e) => toggle(h, e.target.checked)} /> {h}
        </label>
      ))}
      <span className="help">{t("data.labelColumnsHelp")}</span>
    </fieldset>
  );
}

/** When many label cells hold "|" (or ";"), one click reads them as several labels. */
function SeparatorProposal(p: DataStepProps) {
  const { t } = useTranslation();
  if (!p.preview || p.labelSeparator !== null || p.labelColumns.length > 0) return null;
  const cells = labelCells(p.preview.headers, p.preview.rows, p.labelColumn);
  const separator = proposedSeparator(cells, p.preview.dialect.delimiter);
  if (!separator) return null;
  const example = cells.find((c) => c.includes(separator)) ?? "";
  return (
    <p className="note" data-testid="separator-proposal">
      {t("data.separatorProposal", { separator, example })}{" "}
      <button onClick={() => p.onLabelSeparator(separator)} data-testid="use-separator">
        {t("data.useSeparator", { separator })}
      </button>
    </p>
  );
}

function LabelNamesChoice(p: DataStepProps) {
  const { t } = useTranslation();
  const columns = (p.preview?.headers ?? []).filter((h) => h !== p.textColumn && h !== p.labelColumn);
  const sampleFiles = Object.entries(p.sampleNames ?? {});
  const value = p.labelNamesColumn != null ? `column:${p.labelNamesColumn}` : p.labelNamesFile != null ? `file:${p.labelNamesFile}` : "";
  const otherFile = p.labelNamesFile != null && !sampleFiles.some(([, path]) => path === p.labelNamesFile);
  const choose = (v: string) => {
    if (v === "choose") p.onChooseNamesFile();
    else if (v.startsWith("column:")) p.onLabelNames(v.slice("column:".length), null);
    else if (v.startsWith("file:")) p.onLabelNames(null, v.slice("file:".length));
    else p.onLabelNames(null, null);
  };
  return (
    <>
      <label>
        {t("data.labelNames")}
        <select value={value} onChange={(e) => choose(e.target.value)} data-testid="label-names">
          <option value="">{t("data.labelNamesNone")}</option>
          {columns.map((h) => (
            <option key={h} value={`column:${h}`}>{t("data.labelNamesColumn", { column: h })}</option>
          ))}
          {sampleFiles.map(([lang, path]) => (
            <option key={lang} value={`file:${path}`}>{t(`data.labelNamesSample.${lang}`)}</option>
          ))}
          {otherFile && <option value={`file:${p.labelNamesFile}`}>{fileName(p.labelNamesFile!)}</option>}
          <option value="choose">{t("data.labelNamesChooseFile")}</option>
        </select>
        <span className="help">{t("data.labelNamesHelp")}</span>
      </label>
      {value !== "" && (
        <label className="checkbox">
          <span>
            <input type="checkbox" checked={p.namesAsLabels} onChange={(e) => p.onNamesAsLabels(e.target.checked)} data-testid="names-as-labels" />{" "}
            {t("data.namesAsLabels")}
          </span>
          <span className="help">{t("data.namesAsLabelsHelp")}</span>
        </label>
      )}
    </>
  );
}

/** The classes with their names, when the user gave names. */
function NamedClasses({ summary }: { summary: DataSummary }) {
  const { t } = useTranslation();
  const named = summary.classes.filter((c) => summary.label_names[c.label]);
  if (named.length === 0) return null;
  return (
    <details className="small" data-testid="named-classes">
      <summary>{t("data.namedClasses", { count: named.length, n: formatCount(named.length) })}</summary>
      <ul className="columns">
        {summary.classes.map((c) => (
          <li key={c.label}>{withName(c.label, summary.label_names)}</li>
        ))}
      </ul>
    </details>
  );
}
