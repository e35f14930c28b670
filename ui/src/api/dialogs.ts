// Native file and folder dialogs, opened by the app (the page has no file-system access).
import { invoke } from "@tauri-apps/api/core";
import type { FilePurpose } from "../bindings/FilePurpose";

export const dialogsApi = {
  /** The path the user picked for `purpose`, or null when the dialog was closed. */
  choosePath: (purpose: FilePurpose) => invoke<string | null>("choose_path", { purpose }),
};
