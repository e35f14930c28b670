// The app-wide commands. Every api/ file mirrors one file of src-tauri/src/commands/ and is
// typed with the definitions generated from the Rust types (src/bindings, written by
// `cargo test`): nothing here re-declares an engine type.
import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "../bindings/AppInfo";

export const appApi = {
  appInfo: () => invoke<AppInfo>("app_info"),
  /** Stops the running training (its temporary folder is removed) and closes the app. */
  quit: () => invoke<void>("quit"),
};
