// The model library as the page shows it: the saved models and the unfinished runs.
import { useCallback, useEffect, useState } from "react";
import { libraryApi } from "../api/library";
import { trainingApi } from "../api/training";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { UnfinishedEntry } from "../bindings/UnfinishedEntry";

export interface Library {
  models: LibraryEntry[];
  unfinished: UnfinishedEntry[];
  /** Reads both lists again from disk. */
  refresh: () => void;
}

export function useLibrary(fail: (e: unknown) => void): Library {
  const [models, setModels] = useState<LibraryEntry[]>([]);
  const [unfinished, setUnfinished] = useState<UnfinishedEntry[]>([]);
  const refresh = useCallback(() => {
    libraryApi.listModels().then(setModels, fail);
    trainingApi.listUnfinished().then(setUnfinished, fail);
  }, [fail]);
  useEffect(refresh, [refresh]);
  return { models, unfinished, refresh };
}
