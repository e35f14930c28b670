// The About box: which build this is, what it can compute on, where models are kept, and the
// terms of the bundled sample data.
import { useTranslation } from "react-i18next";
import type { AppInfo } from "../bindings/AppInfo";
import { engineText } from "../logic/engineText";

export function AboutDialog(props: { info: AppInfo; onClose: () => void }) {
  const { info } = props;
  const { t } = useTranslation();
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby="about-title" data-testid="about">
      <div className="modal">
        <h3 id="about-title">BERT Studio {info.version}</h3>
        <dl className="facts">
          <dt>{t("about.built")}</dt>
          <dd>{info.build_date}</dd>
          <dt>{t("about.computesOn")}</dt>
          <dd>{info.backends.map(engineText).join(", ")}</dd>
          <dt>{t("about.modelsKeptIn")}</dt>
          <dd><code>{info.library_folder}</code></dd>
          <dt>{t("about.sampleData")}</dt>
          <dd>{engineText(info.sample_data_licence)}</dd>
        </dl>
        <div className="actions end">
          <button className="primary" onClick={props.onClose} autoFocus>{t("common.close")}</button>
        </div>
      </div>
    </div>
  );
}
