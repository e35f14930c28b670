// A search over settings: its time before it starts, and the search itself (one training job).
import { Channel, invoke } from "@tauri-apps/api/core";
import type { DataChoice } from "../bindings/DataChoice";
import type { SearchEstimate } from "../bindings/SearchEstimate";
import type { SearchEvent } from "../bindings/SearchEvent";
import type { SearchSpace } from "../bindings/SearchSpace";
import type { SearchStarted } from "../bindings/SearchStarted";

export const searchApi = {
  estimateSearch: (choice: DataChoice, space: SearchSpace) => invoke<SearchEstimate>("estimate_search_time", { choice, space }),
  startSearch: (choice: DataChoice, space: SearchSpace, onEvent: (event: SearchEvent) => void) => {
    const channel = new Channel<SearchEvent>();
    channel.onmessage = onEvent;
    return invoke<SearchStarted>("start_search", { choice, space, onEvents: channel });
  },
};
