// A search over settings: one training job that runs its trials one after the other.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { DataChoice } from "../bindings/DataChoice";
import type { SearchEvent } from "../bindings/SearchEvent";
import type { SearchSpace } from "../bindings/SearchSpace";
import type { SearchStarted } from "../bindings/SearchStarted";
import type { UnfinishedSearch } from "../bindings/UnfinishedSearch";

function channelFor(onEvent: (event: SearchEvent) => void): Channel<SearchEvent> {
  const channel = new Channel<SearchEvent>();
  channel.onmessage = onEvent;
  return channel;
}

export const searchApi = {
  startSearch: (choice: DataChoice, space: SearchSpace, onEvent: (event: SearchEvent) => void) =>
    invoke<SearchStarted>("start_search", { choice, space, onEvents: channelFor(onEvent) }),
  /** Goes on with a stopped search: the trials not finished yet run. */
  resumeSearch: (searchId: string, onEvent: (event: SearchEvent) => void) =>
    invoke<SearchStarted>("resume_search", { searchId, onEvents: channelFor(onEvent) }),
  listUnfinished: () => invoke<UnfinishedSearch[]>("list_unfinished_searches"),
  discardUnfinished: (searchId: string) => invoke<void>("discard_unfinished_search", { searchId }),
};
