// Base models: whether one is on this computer, its download, and the Hugging Face token.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { DownloadEvent } from "../bindings/DownloadEvent";
import type { ModelAvailability } from "../bindings/ModelAvailability";
import type { TokenSource } from "../bindings/TokenSource";

export const modelsApi = {
  modelStatus: (name: string) => invoke<ModelAvailability>("model_status", { name }),
  downloadModel: (name: string, onProgress: (event: DownloadEvent) => void) => {
    const channel = new Channel<DownloadEvent>();
    channel.onmessage = onProgress;
    return invoke<string>("download_model", { name, onProgress: channel });
  },
  hubTokenStatus: () => invoke<TokenSource>("hub_token_status"),
  saveHubToken: (token: string) => invoke<TokenSource>("save_hub_token", { token }),
  forgetHubToken: () => invoke<TokenSource>("forget_hub_token"),
};
