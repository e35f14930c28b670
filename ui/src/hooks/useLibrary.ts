// The model library as the page shows it: the saved models, the unfinished runs and searches.
import { useCallback, useEffect, useState } from "react";
import { libraryApi } from "../api/library";
import { searchApi } from "../api/search";
import { trainingApi } from "../api/training";
import type { LibraryEntry } from "../bindings/LibraryEntry";
import type { UnfinishedEntry } from "../bindings/UnfinishedEntry";
import type { UnfinishedSearch } from "../bindings/UnfinishedSearch";

export interface Library {
  models: LibraryEntry[];
  unfinished: UnfinishedEntry[];
  unfinishedSearches: UnfinishedSearch[];
  /** Reads the lists again from disk. */
  refresh: () => void;
}

export function useLibrary(fail: (e: unknown) => void): Library {
  const [models, setModels] = useState<LibraryEntry[]>([]);
  const [unfinished, setUnfinished] = useState<UnfinishedEntry[]>([]);
  const [unfinishedSearches, setUnfinishedSearches] = useState<UnfinishedSearch[]>([]);
  const refresh = useCallback(() => {
    libraryApi.listModels().then(setModels, fail);
    trainingApi.listUnfinished().then(setUnfinished, fail);
    searchApi.listUnfinished().then(setUnfinishedSearches, fail);
  }, [fail]);
  useEffect(refresh, [refresh]);
  return { models, unfinished, unfinishedSearches, refresh };
}
