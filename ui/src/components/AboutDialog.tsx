// The About box: which build this is, what it can compute on, where models are kept, and the
// terms of the bundled sample data.
import type { AppInfo } from "../bindings/AppInfo";

export function AboutDialog(props: { info: AppInfo; onClose: () => void }) {
  const { info } = props;
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby="about-title" data-testid="about">
      <div className="modal">
        <h3 id="about-title">BERT Studio {info.version}</h3>
        <dl className="facts">
          <dt>Built</dt>
          <dd>{info.build_date}</dd>
          <dt>Computes on</dt>
          <dd>{info.backends.join(", ")}</dd>
          <dt>Models are kept in</dt>
          <dd><code>{info.library_folder}</code></dd>
          <dt>Sample data</dt>
          <dd>{info.sample_data_licence}</dd>
        </dl>
        <div className="actions end">
          <button className="primary" onClick={props.onClose} autoFocus>Close</button>
        </div>
      </div>
    </div>
  );
}
