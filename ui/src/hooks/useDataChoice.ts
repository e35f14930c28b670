// The data step's state: the file as read, the optional validation file, and the engine's
// summary of what training would see (classes, split, warnings), kept in step with the columns.
import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from "react";
import { dataApi } from "../api/data";
import type { CsvDialect } from "../bindings/CsvDialect";
import type { CsvPreview } from "../bindings/CsvPreview";
import type { DataSummary } from "../bindings/DataSummary";
import type { ErrorReport } from "../bindings/ErrorReport";
import type { Recipe } from "../bindings/Recipe";
import { i18n } from "../i18n";

export interface DataChoiceState {
  preview: CsvPreview | null;
  validationFile: string | null;
  summary: DataSummary | null;
  /** A file is being read. */
  busy: boolean;
  /** Reads `path` (with the dialect given, or the detected one) and picks its columns; a new
   * file takes `labelNamesFile` as its names (none by default). */
  loadFile: (path: string, dialect?: CsvDialect | null, labelNamesFile?: string | null) => Promise<void>;
  setValidationFile: (path: string | null) => void;
}

export function useDataChoice(
  recipe: Recipe | null,
  setRecipe: Dispatch<SetStateAction<Recipe | null>>,
  setError: (error: ErrorReport | null) => void,
  fail: (e: unknown) => void,
): DataChoiceState {
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [validationFile, setValidationFile] = useState<string | null>(null);
  const [summary, setSummary] = useState<DataSummary | null>(null);
  const [busy, setBusy] = useState(false);

  const loadFile = useCallback(
    async (path: string, dialect: CsvDialect | null = null, labelNamesFile: string | null = null) => {
      setBusy(true);
      setError(null);
      try {
        const p = await dataApi.previewData(path, dialect);
        setPreview(p);
        setSummary(null);
        // A new file takes the engine's guess of its columns; a new dialect of the same file
        // keeps the columns chosen when they still exist.
        setRecipe((r) => {
          if (!r) return r;
          const keep = (c: string) => dialect !== null && p.headers.includes(c);
          const names = dialect !== null ? r.label_names_file : labelNamesFile;
          return {
            ...r,
            text_column: keep(r.text_column) ? r.text_column : (p.guessed_text_column ?? ""),
            label_column: keep(r.label_column) ? r.label_column : (p.guessed_label_column ?? ""),
            label_names_column: r.label_names_column != null && keep(r.label_names_column) ? r.label_names_column : null,
            label_names_file: names,
            label_names_as_labels: names != null || (r.label_names_column != null && keep(r.label_names_column)) ? r.label_names_as_labels : false,
            // A new file starts with one label per row (the data step proposes several when its
            // label cells hold a separator); a new dialect of the same file keeps the choice.
            label_separator: dialect !== null && r.label_separator !== p.dialect.delimiter ? r.label_separator : null,
            label_columns: dialect !== null ? r.label_columns.filter((c) => p.headers.includes(c)) : [],
          };
        });
      } catch (e) {
        fail(e);
      } finally {
        setBusy(false);
      }
    },
    [fail, setError, setRecipe],
  );

  // The data summary follows the file, the columns and the validation choice.
  const textColumn = recipe?.text_column ?? "";
  const labelColumn = recipe?.label_column ?? "";
  // 0/1 label columns take the label column's place.
  const labelColumns = recipe?.label_columns.join("\u0000") ?? "";
  useEffect(() => {
    if (!preview || !recipe || !textColumn || (!labelColumn && !labelColumns)) return;
    let current = true;
    setSummary(null);
    if (!labelColumns && textColumn === labelColumn) {
      setError({ kind: "invalid_input", message: i18n.t("data.sameColumns"), hint: i18n.t("data.sameColumnsHint") });
      return;
    }
    dataApi
      .summariseData({ train_csv: preview.path, validation_csv: validationFile, dialect: preview.dialect, recipe })
      .then((s) => current && (setSummary(s), setError(null)), (e) => current && fail(e));
    return () => {
      current = false;
    };
    // The summary depends on the columns, the names and the split settings only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preview, textColumn, labelColumn, labelColumns, validationFile, recipe?.validation_fraction, recipe?.seed, recipe?.label_names_column, recipe?.label_names_file, recipe?.label_separator, fail]);

  return { preview, validationFile, summary, busy, loadFile, setValidationFile };
}
