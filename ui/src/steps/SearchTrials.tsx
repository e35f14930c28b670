// A search as it runs: every trial with its settings, its state and its validation numbers,
// the best marked once all have run; then the trials side by side in the comparison view.
import { useTranslation } from "react-i18next";
import { errorMessage } from "../logic/engineText";
import { formatDecimal, formatPercent } from "../logic/format";
import { numberText } from "../logic/recipeFields";
import { trialModelIds, type SearchProgress } from "../logic/searchProgress";

export interface SearchTrialsProps {
  search: SearchProgress;
  onCompare: (modelIds: string[]) => void;
}

export function SearchTrials({ search, onCompare }: SearchTrialsProps) {
  const { t } = useTranslation();
  const state = (i: number) =>
    search.results[i]?.error
      ? "failed"
      : search.results[i]
        ? "done"
        : search.current === i && search.status === "running"
          ? "running"
          : search.current === i
            ? "stopped"
            : "waiting";
  const finished = search.results.filter(Boolean).length;
  return (
    <section className="panel" data-testid="search-trials" data-status={search.status}>
      <div className="row space-between">
        <h2>
          {search.status === "running" && search.current != null
            ? t("search.trialOf", { trial: search.current + 1, count: search.trials.length })
            : t(`search.status.${search.status}`)}
        </h2>
        {search.status === "finished" && (
          <button className="primary" onClick={() => onCompare(trialModelIds(search))} data-testid="compare-trials">
            {t("search.compare", { count: search.trials.length })}
          </button>
        )}
      </div>
      {search.metric && <p className="muted small">{t("search.bestBy", { metric: t(`metrics.${search.metric}`) })}</p>}
      <div className="table-wrap" tabIndex={0}>
        <table className="data-table numeric" data-testid="trials-table">
          <thead>
            <tr>
              <th>{t("search.columns.trial")}</th>
              <th>{t("search.columns.learningRate")}</th>
              <th>{t("search.columns.epochs")}</th>
              <th>{t("metrics.accuracy")}</th>
              <th>{t("metrics.macro_f1")}</th>
              <th>{t("metrics.loss")}</th>
              <th>{t("search.columns.state")}</th>
            </tr>
          </thead>
          <tbody>
            {search.trials.map((planned, i) => {
              const m = search.results[i]?.metrics;
              const best = search.best === i;
              return (
                <tr key={planned.name} className={best ? "best" : ""} data-testid={`trial-${i + 1}`}>
                  <td>{i + 1}{best ? " ★" : ""}</td>
                  <td>{numberText(planned.learning_rate)}</td>
                  <td>{planned.epochs}</td>
                  <td>{m ? formatPercent(m.accuracy) : "–"}</td>
                  <td>{m ? formatPercent(m.macro_f1) : "–"}</td>
                  <td>{m?.loss != null ? formatDecimal(m.loss, 3) : "–"}</td>
                  <td title={search.results[i]?.error ? errorMessage(search.results[i]!.error!) : undefined}>{t(`search.state.${state(i)}`)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {search.results.map(
        (r, i) =>
          r?.error && (
            <p key={i} className="problem" data-testid={`trial-error-${i + 1}`}>
              {t("search.trialFailed", { trial: i + 1, reason: errorMessage(r.error) })}
            </p>
          ),
      )}
      {search.error && <p className="problem" role="alert">{errorMessage(search.error)}</p>}
      {(search.status === "cancelled" || search.status === "failed") && (
        <p className="small" data-testid="search-stopped-note">{t("search.stoppedNote", { count: finished })}</p>
      )}
    </section>
  );
}
