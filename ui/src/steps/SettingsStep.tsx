import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import type { Recipe } from "../bindings/Recipe";
import type { RecipeCheck } from "../bindings/RecipeCheck";
import type { RunEstimate } from "../bindings/RunEstimate";
import type { SearchSpace } from "../bindings/SearchSpace";
import type { SuggestedModel } from "../bindings/SuggestedModel";
import { formatDuration } from "../logic/format";
import { choiceLabel, fieldsFor, describeValue, fieldExplanation, fieldLabel, numberText, parseFieldInput, type FieldInfo } from "../logic/recipeFields";
import { engineText } from "../logic/engineText";
import type { Message } from "../bindings/Message";
import { SearchSetup } from "./SearchSetup";

/** The time the run would take: being measured, measured, or not measurable (and why). */
export type EstimateState =
  | { state: "measuring" }
  | { state: "ready"; estimate: RunEstimate }
  /** The base model is not on this computer yet: nothing to time. */
  | { state: "not_downloaded" }
  | { state: "unavailable"; reason: string };

/** A run longer than this is called long, with the faster models beside it. */
const LONG_RUN_SECONDS = 3600;

const shortName = (model: string) => model.split(/[\\/]/).filter(Boolean).slice(-2).join("/");

function summaryOf(suggestions: SuggestedModel[], model: string): string | undefined {
  const summary = suggestions.find((s) => s.id === model)?.summary;
  return summary && engineText(summary);
}

function said(message: Message | undefined): string | undefined {
  return message && engineText(message);
}

function RunTime({ estimate, model, suggestions }: { estimate: EstimateState; model: string; suggestions: SuggestedModel[] }) {
  const { t } = useTranslation();
  if (estimate.state === "not_downloaded") return <p className="muted small" data-testid="run-time">{t("settings.time.notDownloaded")}</p>;
  if (estimate.state === "measuring") return <p className="muted small" data-testid="run-time">{t("settings.time.measuring")}</p>;
  if (estimate.state === "unavailable") return <p className="muted small" data-testid="run-time">{t("settings.time.unavailable", { reason: estimate.reason })}</p>;
  const e = estimate.estimate;
  const long = e.seconds > LONG_RUN_SECONDS;
  return (
    <div data-testid="run-time">
      <p className="small">
        <Trans
          i18nKey="settings.time.about"
          values={{
            total: formatDuration(e.seconds),
            device: e.backend,
            training: formatDuration(e.training_seconds),
            evaluation: formatDuration(e.evaluation_seconds),
            other: formatDuration(e.other_seconds),
            steps: e.measured_steps,
          }}
          components={{ b: <b /> }}
        />
      </p>
      {long && (
        <div className="warnings single" role="status" data-testid="long-run">
          {t("settings.time.long", { total: formatDuration(e.seconds), model: shortName(model), device: e.backend })}
          {e.faster_models.slice(0, 2).map((m) => (
            // Each with what it is for (languages above all), so nobody is sent to a model that
            // does not read their texts.
            <div key={m.model}>
              {t("settings.time.faster", { model: m.model, total: formatDuration(m.seconds) })}{" "}
              <span className="muted">{summaryOf(suggestions, m.model)}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

export interface SettingsStepProps {
  recipe: Recipe;
  defaults: Recipe;
  /** The engine's check of `recipe` (null while it is being asked). */
  check: RecipeCheck | null;
  /** How long the run would take (null: nothing to say yet). */
  estimate: EstimateState | null;
  /** The suggested base models, to say what each faster one is for. */
  suggestions: SuggestedModel[];
  busy: boolean;
  onRecipe: (recipe: Recipe) => void;
  onSave: () => void;
  onLoad: () => void;
  onBack: () => void;
  onStart: () => void;
  /** Starts a search: the form's recipe tried with several learning rates and passes. */
  onStartSearch: (space: SearchSpace) => void;
}

function FieldInput(props: {
  field: FieldInfo;
  value: unknown;
  onValue: (value: unknown) => void;
  onTypingError: (message: string | null) => void;
}) {
  const { field } = props;
  const { t } = useTranslation();
  const [draft, setDraft] = useState<string | null>(null);
  const id = `field-${field.key}`;
  switch (field.kind.type) {
    case "toggle":
      return <input id={id} type="checkbox" checked={Boolean(props.value)} onChange={(e) => props.onValue(e.target.checked)} />;
    case "choice": {
      // A value the list does not offer (a recipe's file of class weights) stays selected, as
      // itself, until another choice is made.
      const other = typeof props.value === "object" && props.value !== null ? props.value : null;
      return (
        <select id={id} data-testid={id} value={other === null ? String(props.value) : ""} onChange={(e) => props.onValue(e.target.value === "" ? other : e.target.value)}>
          {other !== null && <option value="">{describeValue(field, other)}</option>}
          {field.kind.options.map((o) => (
            <option key={o} value={o}>{choiceLabel(o)}</option>
          ))}
        </select>
      );
    }
    default:
      return (
        <input
          id={id}
          data-testid={id}
          type="text"
          inputMode="decimal"
          value={draft ?? numberText(Number(props.value))}
          onChange={(e) => {
            setDraft(e.target.value);
            const parsed = parseFieldInput(field, e.target.value);
            if (parsed === null) {
              props.onTypingError(t(field.kind.type === "integer" ? "settings.typeWholeNumber" : "settings.typeNumber"));
            } else {
              props.onTypingError(null);
              props.onValue(parsed);
            }
          }}
          onBlur={() => {
            if (parseFieldInput(field, draft ?? "") !== null) setDraft(null);
          }}
        />
      );
  }
}

export function SettingsStep(p: SettingsStepProps) {
  const { t } = useTranslation();
  const [advanced, setAdvanced] = useState(false);
  const [typingErrors, setTypingErrors] = useState<Record<string, string>>({});
  const shown = fieldsFor(p.recipe).filter((f) => f.basic || advanced);
  const problems = p.check?.problems ?? [];
  const problemOf = (key: string) => typingErrors[key] ?? said(problems.find((x) => x.field === key)?.message);
  const hiddenProblems = problems.filter((x) => !shown.some((f) => f.key === x.field));
  const blocked = !p.check || problems.length > 0 || Object.keys(typingErrors).length > 0;
  return (
    <section className="panel" data-testid="settings-step">
      <div className="row space-between">
        <h2>{t("settings.title")}</h2>
        <div className="actions">
          <button onClick={p.onLoad}>{t("settings.openRecipe")}</button>
          <button onClick={p.onSave}>{t("settings.saveRecipe")}</button>
          <button onClick={() => p.onRecipe({ ...p.defaults, model: p.recipe.model, text_column: p.recipe.text_column, label_column: p.recipe.label_column, label_names_column: p.recipe.label_names_column, label_names_file: p.recipe.label_names_file, label_names_as_labels: p.recipe.label_names_as_labels, label_separator: p.recipe.label_separator, label_columns: p.recipe.label_columns })}>
            {t("settings.reset")}
          </button>
        </div>
      </div>
      <div className="segmented" role="tablist">
        <button role="tab" aria-selected={!advanced} className={advanced ? "" : "on"} onClick={() => setAdvanced(false)}>
          {t("settings.basic")}
        </button>
        <button role="tab" aria-selected={advanced} className={advanced ? "on" : ""} onClick={() => setAdvanced(true)} data-testid="advanced">
          {t("settings.advanced")}
        </button>
      </div>
      <div className="fields">
        {shown.map((field) => {
          const problem = problemOf(field.key);
          return (
            <div key={field.key} className={problem ? "field has-problem" : "field"}>
              <label htmlFor={`field-${field.key}`}>{fieldLabel(field)}</label>
              <FieldInput
                field={field}
                value={p.recipe[field.key]}
                onValue={(value) => p.onRecipe({ ...p.recipe, [field.key]: value })}
                onTypingError={(message) =>
                  setTypingErrors((t) => {
                    const next = { ...t };
                    if (message) next[field.key] = message;
                    else delete next[field.key];
                    return next;
                  })
                }
              />
              <div className="help">
                {fieldExplanation(field)} <span className="default">{t("settings.default", { value: describeValue(field, p.defaults[field.key]) })}</span>
              </div>
              {problem && <div className="problem" data-testid={`problem-${field.key}`}>{problem}</div>}
            </div>
          );
        })}
      </div>
      {hiddenProblems.map((x) => (
        <div key={x.field} className="problem">{engineText(x.message)}</div>
      ))}
      {p.estimate && <RunTime estimate={p.estimate} model={p.recipe.model} suggestions={p.suggestions} />}
      <SearchSetup
        learningRate={p.recipe.learning_rate}
        epochs={p.recipe.epochs}
        runEstimate={p.estimate?.state === "ready" ? p.estimate.estimate : null}
        ready={!blocked && !p.busy}
        onStart={p.onStartSearch}
      />
      <div className="row space-between">
        <button onClick={p.onBack}>{t("settings.back")}</button>
        <div className="row">
          {p.check && (
            <span className="muted small" data-testid="effective-batch">
              <Trans
                i18nKey="settings.effectiveBatch"
                values={{ batch: p.recipe.train_batch_size, steps: p.recipe.gradient_accumulation_steps, count: p.check.effective_batch_size }}
                components={{ b: <b /> }}
              />
            </span>
          )}
          <button className="primary" disabled={blocked || p.busy} onClick={p.onStart} data-testid="start-training">
            {t("settings.start")}
          </button>
        </div>
      </div>
    </section>
  );
}
