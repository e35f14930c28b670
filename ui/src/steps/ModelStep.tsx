import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ModelAvailability } from "../bindings/ModelAvailability";
import type { SuggestedModel } from "../bindings/SuggestedModel";
import type { TokenSource } from "../bindings/TokenSource";
import { formatBytes, formatCount } from "../logic/format";
import { engineText } from "../logic/engineText";

export interface DownloadState {
  name: string;
  file: string;
  done: number;
  total: number;
}

export interface ModelStepProps {
  suggestions: SuggestedModel[];
  model: string;
  statuses: Record<string, ModelAvailability>;
  download: DownloadState | null;
  onModel: (name: string) => void;
  onDownload: (name: string) => void;
  onChooseFolder: () => void;
  /** Where the Hugging Face token for private models comes from (never the token itself). */
  tokenSource: TokenSource | null;
  onSaveToken: (token: string) => Promise<void>;
  onForgetToken: () => void;
  onBack: () => void;
  onNext: () => void;
}

export function ModelStep(p: ModelStepProps) {
  const { t } = useTranslation();
  const isSuggested = p.suggestions.some((s) => s.id === p.model);
  const [custom, setCustom] = useState(isSuggested ? "" : p.model);
  const [token, setToken] = useState("");
  useEffect(() => {
    if (!isSuggested) setCustom(p.model);
  }, [p.model, isSuggested]);
  const status = p.statuses[p.model];
  return (
    <section className="panel" data-testid="model-step">
      <h2>{t("model.title")}</h2>
      <p className="muted">{t("model.intro")}</p>
      <div className="model-list">
        {p.suggestions.map((m) => {
          const s = p.statuses[m.id];
          const downloading = p.download?.name === m.id;
          return (
            <label key={m.id} className={p.model === m.id ? "model-card selected" : "model-card"}>
              <input type="radio" name="model" checked={p.model === m.id} onChange={() => p.onModel(m.id)} />
              <div className="model-card-body">
                <div className="row space-between">
                  <b>{m.id}</b>
                  {m.recommended && <span className="badge">{t("model.default")}</span>}
                </div>
                <div className="muted small">{engineText(m.summary)}</div>
                <div className="small">
                  {m.architecture} · {t("model.parameters", { count: m.parameters_millions, n: formatCount(m.parameters_millions) })} · {formatCount(m.download_mb)} {t("units.MB")} ·{" "}
                  <span className={s?.local_folder ? "ok" : "muted"}>{s ? engineText(s.status) : "…"}</span>
                </div>
                {downloading && p.download && (
                  <div className="progress-line">
                    <progress max={p.download.total || 1} value={p.download.done} />
                    <span className="small muted">
                      {p.download.file}: {formatBytes(p.download.done)} / {formatBytes(p.download.total)}
                    </span>
                  </div>
                )}
              </div>
              {s && !s.local_folder && !downloading && (
                <button onClick={(e) => { e.preventDefault(); p.onDownload(m.id); }} disabled={p.download !== null}>
                  {t("model.download")}
                </button>
              )}
            </label>
          );
        })}
      </div>
      <div className="form-grid one">
        <label>
          {t("model.other")}
          <span className="help">{t("model.otherHelp")}</span>
          <div className="row">
            <input
              type="text"
              value={custom}
              placeholder={t("model.otherPlaceholder")}
              onChange={(e) => setCustom(e.target.value)}
              onBlur={() => custom.trim() && p.onModel(custom.trim())}
              onKeyDown={(e) => e.key === "Enter" && custom.trim() && p.onModel(custom.trim())}
              data-testid="custom-model"
            />
            <button onClick={p.onChooseFolder}>{t("model.chooseFolder")}</button>
          </div>
          {!isSuggested && status && (
            <span className={status.local_folder ? "help ok" : "help"} data-testid="custom-model-status">
              {engineText(status.status)}
            </span>
          )}
        </label>
        <label data-testid="hub-token">
          {t("model.token")}
          {p.tokenSource === "environment" ? (
            <span className="help ok">{t("model.tokenFromEnvironment")}</span>
          ) : p.tokenSource === "keyring" ? (
            <div className="row">
              <span className="help ok">{t("model.tokenInKeyring")}</span>
              <button onClick={p.onForgetToken}>{t("model.forgetToken")}</button>
            </div>
          ) : (
            <div className="row">
              <input type="password" value={token} placeholder="hf_…" autoComplete="off" onChange={(e) => setToken(e.target.value)} />
              <button disabled={!token.trim()} onClick={() => p.onSaveToken(token).then(() => setToken(""))}>
                {t("model.saveToken")}
              </button>
            </div>
          )}
          <span className="help">{t("model.tokenHelp")}</span>
        </label>
      </div>
      <div className="row space-between">
        <button onClick={p.onBack}>{t("model.back")}</button>
        <button className="primary" onClick={p.onNext} disabled={!p.model.trim()} data-testid="model-next">
          {t("model.next")}
        </button>
      </div>
    </section>
  );
}
