// A question before something that cannot be undone: keeping is the default (it has the
// focus), the other answer is in the danger colour.
export function ConfirmDialog(p: {
  title: string;
  text: string;
  keepLabel: string;
  confirmLabel: string;
  onKeep: () => void;
  onConfirm: () => void;
  testId?: string;
  confirmTestId?: string;
}) {
  const titleId = `${p.testId ?? "confirm"}-title`;
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={p.testId}>
      <div className="modal">
        <h3 id={titleId}>{p.title}</h3>
        <p>{p.text}</p>
        <div className="actions end">
          <button onClick={p.onKeep} autoFocus>{p.keepLabel}</button>
          <button className="danger" onClick={p.onConfirm} data-testid={p.confirmTestId}>{p.confirmLabel}</button>
        </div>
      </div>
    </div>
  );
}
