// Searches that stopped before every run of them finished: each goes on as a whole (the runs
// finished are kept, the one stopped midway resumes, the rest run), or is forgotten.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { UnfinishedSearch } from "../bindings/UnfinishedSearch";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { formatDateTime } from "../logic/format";
import { numberText } from "../logic/recipeFields";

export function UnfinishedSearches(props: {
  searches: UnfinishedSearch[];
  /** A run is training: going on has to wait. */
  trainingNow: boolean;
  onResume: (id: string) => void;
  onDiscard: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [discarding, setDiscarding] = useState<UnfinishedSearch | null>(null);
  if (props.searches.length === 0) return null;
  return (
    <section className="panel" data-testid="unfinished-searches">
      <h2>{t("library.unfinishedSearches")} <span className="muted small">{t("library.unfinishedSearchesHelp")}</span></h2>
      <table className="data-table numeric">
        <thead>
          <tr>
            <th>{t("library.columns.data")}</th><th>{t("library.columns.baseModel")}</th><th>{t("library.columns.tried")}</th>
            <th>{t("library.columns.done")}</th><th>{t("library.columns.started")}</th><th></th>
          </tr>
        </thead>
        <tbody>
          {props.searches.map((s) => (
            <tr key={s.id} data-testid={`unfinished-search-${s.id}`}>
              <td>{s.train_file}</td>
              <td title={s.base_model}>{s.base_model.split(/[\\/]/).pop()}</td>
              <td>{t("library.searchValues", { rates: s.learning_rates.map(numberText).join(", "), epochs: s.epochs.join(", ") })}</td>
              <td>{t("library.runsDone", { count: s.trials_done, total: s.trials })}</td>
              <td>{formatDateTime(s.started_unix)}</td>
              <td className="actions">
                <button className="primary" disabled={props.trainingNow} title={props.trainingNow ? t("library.anotherRunTraining") : undefined}
                  data-testid={`resume-search-${s.id}`} onClick={() => props.onResume(s.id)}>{t("library.goOn")}</button>
                <button className="danger" onClick={() => setDiscarding(s)}>{t("library.discard")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {discarding && (
        <ConfirmDialog
          title={t("library.discardSearchQuestion.title", { file: discarding.train_file })}
          text={t("library.discardSearchQuestion.text", { count: discarding.trials - discarding.trials_done })}
          keepLabel={t("library.keepIt")}
          confirmLabel={t("library.discard")}
          onKeep={() => setDiscarding(null)}
          onConfirm={() => { props.onDiscard(discarding.id); setDiscarding(null); }}
          testId="discard-search-question"
          confirmTestId="discard-search"
        />
      )}
    </section>
  );
}
