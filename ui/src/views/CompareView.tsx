import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Comparison } from "../bindings/Comparison";
import { Chart } from "../components/Chart";
import { useColorScheme } from "../components/useColorScheme";
import { useRevealOnChange } from "../hooks/useFocusAfterChange";
import { comparisonCurvesChart, confusionOf, perClassF1Chart, type ClassSort } from "../logic/charts";
import { formatDecimal, formatPercent } from "../logic/format";
import { RECIPE_FIELDS, describeValue, fieldLabel } from "../logic/recipeFields";
import { engineText } from "../logic/engineText";

/** A recipe field by its JSON name, in words when the page knows it. */
/** A recipe value (sent as JSON) in the words of the settings form: "On", "linear decay", 5e-5. */
function settingValue(field: string, json: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return json; // "—": a model without a recipe
  }
  const info = RECIPE_FIELDS.find((f) => f.key === field);
  if (info) return describeValue(info, value);
  return typeof value === "string" ? value : json;
}

function settingName(field: string): string {
  const known = RECIPE_FIELDS.find((f) => f.key === field);
  return known ? fieldLabel(known) : field;
}

export function CompareView(props: { comparison: Comparison; busy: boolean; onEvaluateOnFile: () => void }) {
  const c = props.comparison;
  const { t } = useTranslation();
  const [sort, setSort] = useState<ClassSort>("difference");
  const dark = useColorScheme() === "dark";
  // A new result opens below the library: bring it into view, the focus with it.
  const panel = useRef<HTMLElement>(null);
  useRevealOnChange(panel, c);
  return (
    <section className="panel" data-testid="compare-view" ref={panel}>
      <div className="row space-between">
        <h2>{t("compare.title")}</h2>
        <button onClick={props.onEvaluateOnFile} disabled={props.busy} data-testid="compare-on-file">{t("compare.onFile")}</button>
      </div>
      <p className={c.same_data ? "muted small" : "warnings single"} data-testid="data-note">{engineText(c.data_note)}</p>
      {c.best_model && (
        <p data-testid="best-model">
          {t("compare.bestModel", { name: c.models[c.best_model.index].name, metric: t(`metrics.${c.best_model.metric}`) })}
        </p>
      )}
      <div className="table-wrap" tabIndex={0}>
        <table className="data-table numeric" data-testid="compare-table">
          <thead>
            <tr>
              <th>{t("compare.metric")}</th>
              {c.models.map((m, i) => (
                <th key={m.id} title={m.base_model} className={c.best_model?.index === i ? "best" : ""}>
                  {m.name}
                  {c.best_model?.index === i ? " ★" : ""}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {c.metrics.map((row) => (
              <tr key={row.metric}>
                <td>{t(`metrics.${row.metric}`)}{row.higher_is_better ? "" : ` ${t("compare.lowerIsBetter")}`}</td>
                {row.values.map((v, i) => (
                  <td key={i} className={row.best === i ? "best" : ""}>
                    {v == null ? "–" : row.metric === "loss" ? formatDecimal(v, 3) : formatPercent(v)}
                    {row.best === i && c.models.length > 1 ? " ★" : ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="chart-grid">
        <Chart option={comparisonCurvesChart(c, "macro_f1")} testId="compare-curves" points={c.curves.reduce((n, k) => n + k.evaluations.length, 0)} />
        <Chart option={comparisonCurvesChart(c, "loss")} points={c.curves.reduce((n, k) => n + k.losses.length, 0)} />
      </div>
      <div className="row">
        <span className="small muted">{t("compare.sortBy")}</span>
        <div className="segmented">
          <button className={sort === "difference" ? "on" : ""} onClick={() => setSort("difference")}>{t("compare.largestDifference")}</button>
          <button className={sort === "label" ? "on" : ""} onClick={() => setSort("label")}>{t("compare.label")}</button>
        </div>
      </div>
      <Chart option={perClassF1Chart(c, sort)} height={300} testId="per-class-f1" points={c.per_class.length} />
      {c.recipe_differences.length > 0 && (
        <div className="table-wrap" tabIndex={0}>
          <table className="data-table" data-testid="recipe-diff">
            <thead>
              <tr><th>{t("compare.settingThatDiffers")}</th>{c.models.map((m) => <th key={m.id}>{m.name}</th>)}</tr>
            </thead>
            <tbody>
              {c.recipe_differences.map((d) => (
                <tr key={d.field}><td title={d.field}>{settingName(d.field)}</td>{d.values.map((v, i) => <td key={i}>{settingValue(d.field, v)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {c.recipe_differences.length === 0 && <p className="muted small">{t("compare.sameRecipes")}</p>}
      <div className="chart-grid">
        {c.confusions.map((m, i) => m && <Chart key={i} option={confusionOf(m, c.models[i].name, dark, c.label_names)} height={320} points={m.labels.length} />)}
      </div>
    </section>
  );
}
