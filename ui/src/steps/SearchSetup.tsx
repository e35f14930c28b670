// "Try several settings": the learning rates and numbers of epochs to try, how long the runs
// would take (the run's measured time, scaled to each run's passes), and the start of the
// search. Every other setting is the
// form's, the same for every run.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { RunEstimate } from "../bindings/RunEstimate";
import type { SearchSpace } from "../bindings/SearchSpace";
import { formatDuration } from "../logic/format";
import { numberText } from "../logic/recipeFields";
import { searchSeconds, searchSpaceOf, trialCount } from "../logic/searchSpace";

export interface SearchSetupProps {
  learningRate: number;
  epochs: number;
  /** The run's measured time with the form's settings (null while being measured). */
  runEstimate: RunEstimate | null;
  /** The form's settings are valid and no run is going. */
  ready: boolean;
  onStart: (space: SearchSpace) => void;
}

/** Learning rates usual for fine-tuning BERT (the BERT paper's, widened). */
const USUAL_RATES = [1e-5, 2e-5, 3e-5, 5e-5, 1e-4];

function startingRates(rate: number): number[] {
  const other = [...USUAL_RATES].reverse().find((r) => r < rate) ?? USUAL_RATES.find((r) => r > rate);
  return other === undefined ? [rate] : [Math.min(rate, other), Math.max(rate, other)];
}

export function SearchSetup(p: SearchSetupProps) {
  const { t } = useTranslation();
  // Around the form's values: its rate and the usual one below it, its passes and one more.
  const [rates, setRates] = useState(() => startingRates(p.learningRate).map(numberText).join(" "));
  const [epochs, setEpochs] = useState(() => [p.epochs, p.epochs + 1].join(" "));
  const space = searchSpaceOf(rates, epochs);
  return (
    <details className="search-setup" data-testid="search-setup">
      <summary>{t("search.title")}</summary>
      <p className="muted small">{t("search.intro")}</p>
      <div className="fields">
        <div className="field">
          <label htmlFor="search-rates">{t("search.learningRates")}</label>
          <input id="search-rates" value={rates} onChange={(e) => setRates(e.target.value)} data-testid="search-rates" />
          <div className="help">{t("search.learningRatesHelp")}</div>
        </div>
        <div className="field">
          <label htmlFor="search-epochs">{t("search.epochs")}</label>
          <input id="search-epochs" value={epochs} onChange={(e) => setEpochs(e.target.value)} data-testid="search-epochs" />
          <div className="help">{t("search.epochsHelp")}</div>
        </div>
      </div>
      {!space && <div className="problem" data-testid="search-problem">{t("search.notNumbers")}</div>}
      <div className="row space-between">
        <span className="small" data-testid="search-time">
          {space && t("search.runs", { count: trialCount(space) })}{" "}
          {space && p.runEstimate && t("search.about", { total: formatDuration(searchSeconds(p.runEstimate, p.epochs, space)), device: p.runEstimate.backend })}
        </span>
        <button disabled={!space || !p.ready} onClick={() => space && p.onStart(space)} data-testid="start-search">
          {t("search.start")}
        </button>
      </div>
    </details>
  );
}
