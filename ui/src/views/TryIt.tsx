import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { classifyApi } from "../api/classify";
import type { Explanation } from "../bindings/Explanation";
import type { LabelScore } from "../bindings/LabelScore";
import { Chart } from "../components/Chart";
import { ExplainedText } from "../components/ExplainedText";
import { topLabelsChart } from "../logic/charts";
import { errorMessage } from "../logic/engineText";
import { toErrorReport } from "../logic/errors";

/** A short pause after typing, so that each keystroke does not start a model run. */
const PAUSE_MS = 250;

/** One text typed in: its most likely labels as the user types, and which words drove the
 * top label (or the label the user picks). The explanation under way stops when the user types
 * on (the engine cancels it; a late answer is dropped). */
export function TryIt(props: { modelId: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [scores, setScores] = useState<LabelScore[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [explanation, setExplanation] = useState<Explanation | null>(null);
  const [explaining, setExplaining] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [explainError, setExplainError] = useState<string | null>(null);
  useEffect(() => {
    setChosen(null);
    if (!text.trim() || !props.modelId) {
      setScores(null);
      setError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      classifyApi.tryText(props.modelId, text).then(
        (s) => current && (setScores(s), setError(null)),
        (e) => current && setError(errorMessage(toErrorReport(e))),
      );
    }, PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, props.modelId]);
  useEffect(() => {
    setExplanation(null);
    setExplainError(null);
    if (!text.trim() || !props.modelId) return;
    let current = true;
    const timer = setTimeout(() => {
      setExplaining(true);
      classifyApi.explainText(props.modelId, text, chosen ? [chosen] : []).then(
        (found) => current && (setExplanation(found[0] ?? null), setExplaining(false)),
        (e) => {
          if (!current) return;
          setExplaining(false);
          const report = toErrorReport(e);
          if (report.kind !== "cancelled") setExplainError(errorMessage(report));
        },
      );
    }, PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, chosen, props.modelId]);
  const explained = explanation?.label ?? null;
  return (
    <section className="panel try-it">
      <h3>{t("classify.tryTitle")}</h3>
      <div className="try-grid">
        <textarea value={text} aria-label={t("classify.tryTitle")} onChange={(e) => setText(e.target.value)} placeholder={t("classify.tryPlaceholder")} rows={4} data-testid="try-text" />
        <div data-testid="try-result">
          {error && <div className="problem">{error}</div>}
          {scores && <Chart option={topLabelsChart(scores)} height={160} points={scores.length} testId="try-chart" />}
          {!scores && !error && <p className="muted small">{t("classify.tryHelp")}</p>}
        </div>
      </div>
      {scores && scores.length > 0 && (
        <div className="stack" data-testid="try-explanation" aria-live="polite">
          <h4>{t("explain.title")}</h4>
          {explainError && <div className="problem">{explainError}</div>}
          {explanation ? <ExplainedText explanation={explanation} labelName={explanation.label} testId="explained-text" /> : <p className="muted small">{explaining ? t("explain.working") : ""}</p>}
          <div className="row wrap">
            <span className="small muted">{t("explain.otherClass")}</span>
            <div className="segmented">
              {scores.map((s) => (
                <button key={s.label} className={s.label === explained ? "on" : ""} aria-pressed={s.label === explained} onClick={() => s.label !== explained && setChosen(s.label)} data-testid={`explain-class-${s.label}`}>
                  {s.label}
                </button>
              ))}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
