// A search over settings: one training job that runs its trials one after the other.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { DataChoice } from "../bindings/DataChoice";
import type { SearchEvent } from "../bindings/SearchEvent";
import type { SearchSpace } from "../bindings/SearchSpace";
import type { SearchStarted } from "../bindings/SearchStarted";

export const searchApi = {
  startSearch: (choice: DataChoice, space: SearchSpace, onEvent: (event: SearchEvent) => void) => {
    const channel = new Channel<SearchEvent>();
    channel.onmessage = onEvent;
    return invoke<SearchStarted>("start_search", { choice, space, onEvents: channel });
  },
};
