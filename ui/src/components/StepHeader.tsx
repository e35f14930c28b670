import { useTranslation } from "react-i18next";

export const STEPS = ["Data", "Model", "Settings", "Training", "Result"] as const;
export type StepName = (typeof STEPS)[number];

/** The wizard's progress: done steps can be revisited, later ones not yet. */
export function StepHeader(props: { current: StepName; reachable: (s: StepName) => boolean; onGo: (s: StepName) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="steps" aria-label={t("steps.label")}>
      {STEPS.map((s, i) => (
        <button
          key={s}
          className={s === props.current ? "step current" : "step"}
          disabled={!props.reachable(s)}
          onClick={() => props.onGo(s)}
          data-testid={`step-${s.toLowerCase()}`}
        >
          <span className="step-number">{i + 1}</span>
          {t(`steps.${s}`)}
        </button>
      ))}
    </nav>
  );
}
