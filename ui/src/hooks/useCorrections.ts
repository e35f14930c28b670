import { useCallback, useEffect, useRef, useState } from "react";
import { correctionsApi } from "../api/corrections";
import type { CorrectedFile } from "../bindings/CorrectedFile";
import type { CorrectedRow } from "../bindings/CorrectedRow";
import type { Correction } from "../bindings/Correction";
import { errorMessage } from "../logic/engineText";
import { toErrorReport } from "../logic/errors";

/** A row of the file as it is now. */
export interface RowToCorrect {
  line: number;
  text: string;
  label: string;
}

/** A model's corrections of the rows of one file: kept beside the model by the engine, each
 * change saved at once, one after the other (so that the last answer is the latest list). */
export function useCorrections(modelId: string, file: string) {
  const [rows, setRows] = useState<CorrectedRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<CorrectedFile | null>(null);
  const [starting, setStarting] = useState(false);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const keep = useCallback(
    (work: () => Promise<{ rows: CorrectedRow[] }>) =>
      (queue.current = queue.current.then(work).then(
        (kept) => {
          setRows(kept.rows);
          setError(null);
          setExported(null);
        },
        (e) => setError(errorMessage(toErrorReport(e))),
      )),
    [],
  );
  useEffect(() => {
    void keep(() => correctionsApi.list(modelId, file));
  }, [modelId, file, keep]);
  return {
    rows,
    error,
    exported,
    starting,
    /** Starts "Train again with my corrections"; a refusal is said beside the button. */
    trainAgain: (start: () => Promise<void>) => {
      setStarting(true);
      return start()
        .then(
          () => setError(null),
          (e) => setError(errorMessage(toErrorReport(e))),
        )
        .finally(() => setStarting(false));
    },
    /** Corrects the row starting on `line`, whose text and label are now `text` and `label`. */
    correct: (row: RowToCorrect, correction: Correction) =>
      keep(() => correctionsApi.correct(modelId, { file, line: row.line, text: row.text, label: row.label, correction })),
    undo: (line: number) => keep(() => correctionsApi.undo(modelId, file, line)),
    exportCopy: (textColumn: string, labelColumn: string) =>
      correctionsApi.exportCopy(modelId, file, textColumn, labelColumn).then(
        (written) => (setExported(written), setError(null)),
        (e) => setError(errorMessage(toErrorReport(e))),
      ),
  };
}
