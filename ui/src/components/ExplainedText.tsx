import { Fragment } from "react";
import { useTranslation } from "react-i18next";
import type { Explanation } from "../bindings/Explanation";
import { shareColour, wordShares } from "../logic/explanation";
import { formatDecimal } from "../logic/format";

/** A text with each word shaded by how much it pushed the score of one class (the number on
 * hover), and one line saying how to read it. */
export function ExplainedText(props: { explanation: Explanation; labelName: string; testId?: string }) {
  const { t } = useTranslation();
  const e = props.explanation;
  const shares = wordShares(e);
  const signed = (v: number) => `${v > 0 ? "+" : ""}${formatDecimal(v, 3)}`;
  return (
    <div className="explained" data-testid={props.testId}>
      <p className="explained-text">
        {e.words.map((w, i) => (
          <Fragment key={i}>
            {w.space_before}
            <span
              className={w.contribution == null ? "word unread" : "word"}
              style={{ background: shareColour(shares[i]) }}
              title={w.contribution == null ? t("explain.notRead") : t("explain.contribution", { value: signed(w.contribution), label: props.labelName })}
              data-contribution={w.contribution ?? undefined}
            >
              {w.word}
            </span>
          </Fragment>
        ))}
      </p>
      <p className="muted small">
        {t("explain.legend", { label: props.labelName })}
        {e.cut_words > 0 && ` ${t("explain.cut", { count: e.cut_words })}`}
      </p>
    </div>
  );
}
