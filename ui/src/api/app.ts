// The app-wide commands. Every api/ file mirrors one file of src-tauri/src/commands/ and is
// typed with the definitions generated from the Rust types (src/bindings, written by
// `cargo test`): nothing here re-declares an engine type.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "../bindings/AppInfo";

export const appApi = {
  appInfo: () => invoke<AppInfo>("app_info"),
  /** CSV files opened with the app (from the file manager) not yet shown; each is given once. */
  takeOpenedFiles: () => invoke<string[]>("take_opened_files"),
  /** Stops the running training (its temporary folder is removed) and closes the app. */
  quit: () => invoke<void>("quit"),
  /** The page's language ("en" or "fr"): the shell titles its native dialogs in it. */
  setLanguage: (language: string) => invoke<void>("set_language", { language }),
};
