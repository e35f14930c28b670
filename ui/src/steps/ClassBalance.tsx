// How uneven the classes are, under the class-size chart; when the largest class has 20 times
// the rows of the smallest, balanced class weights are suggested, with why, and set in a click.
import { useTranslation } from "react-i18next";
import type { ClassCount } from "../bindings/ClassCount";
import type { ClassWeights } from "../bindings/ClassWeights";
import { formatCount, formatSignificant } from "../logic/format";
import { imbalance } from "../logic/imbalance";
import { withName, type LabelNames } from "../logic/labelNames";

export interface ClassBalanceProps {
  classes: ClassCount[];
  names: LabelNames;
  classWeights: ClassWeights;
  onClassWeights: (weights: ClassWeights) => void;
}

export function ClassBalance(p: ClassBalanceProps) {
  const { t } = useTranslation();
  const found = imbalance(p.classes);
  if (!found) return null;
  const { largest, smallest } = found;
  return (
    <div className="small" data-testid="class-balance">
      <p>
        {t("data.balance.ratio", {
          largest: withName(largest.label, p.names),
          largestRows: formatCount(largest.train),
          smallest: withName(smallest.label, p.names),
          smallestRows: formatCount(smallest.train),
          ratio: formatSignificant(found.ratio, 3),
        })}
      </p>
      {found.suggestBalanced && p.classWeights === "none" && (
        <p className="suggestion" data-testid="suggest-balanced">
          {t("data.balance.suggest")}{" "}
          <button onClick={() => p.onClassWeights("balanced")} data-testid="use-balanced">
            {t("data.balance.useBalanced")}
          </button>
        </p>
      )}
      {p.classWeights === "balanced" && (
        <p data-testid="balanced-on">
          {t("data.balance.balancedOn")}{" "}
          <button className="link" onClick={() => p.onClassWeights("none")}>
            {t("data.balance.turnOff")}
          </button>
        </p>
      )}
    </div>
  );
}
