//! A training run on the terminal: lines for the logs and evaluations, one progress bar over
//! the optimizer steps.

use bert_studio_engine::train::{Metrics, TrainingEvent};
use indicatif::HumanCount;

use crate::choices::json_name;
use crate::terminal::{print_download, progress_bar};

/// Training as lines and one progress bar over the optimizer steps.
#[derive(Default)]
pub struct ProgressView {
    bar: Option<indicatif::ProgressBar>,
    /// Another node of a run over several machines (node 0 writes the model, not this one).
    other_node: bool,
}

impl ProgressView {
    /// The view of node `node_rank`'s run (0 for a run on one machine).
    pub fn on_node(node_rank: usize) -> Self {
        ProgressView {
            bar: None,
            other_node: node_rank > 0,
        }
    }

    pub fn say(&self, line: String) {
        match &self.bar {
            // println would be dropped when stderr is not a terminal.
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub fn show(&mut self, event: TrainingEvent) {
        match event {
            TrainingEvent::Download(d) => print_download(d),
            TrainingEvent::Started {
                model,
                backend,
                backend_reason,
                data,
                plan,
                parameters,
            } => {
                eprintln!(
                    "Training {model} ({} parameters) on {backend} — {backend_reason}",
                    HumanCount(parameters as u64)
                );
                eprintln!(
                    "Data: {} rows read ({}-separated, {}), {} for training, {} for validation, {} classes",
                    data.rows_read,
                    data.delimiter,
                    data.encoding,
                    data.train_rows,
                    data.validation_rows,
                    data.classes.len()
                );
                for w in &data.warnings {
                    eprintln!("Note: {w}");
                }
                eprintln!(
                    "Plan: {} optimizer steps ({} per epoch), {} warm-up steps",
                    plan.total_steps, plan.steps_per_epoch, plan.warmup_steps
                );
                self.bar = Some(progress_bar(
                    plan.total_steps as u64,
                    "{bar:30.cyan/blue} {pos}/{len} steps  {msg}  ETA {eta}",
                ));
            }
            TrainingEvent::Step {
                step,
                epoch,
                loss,
                learning_rate,
                samples_per_second,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(step as u64);
                    bar.set_message(format!(
                        "epoch {epoch:.2}  loss {loss:.4}  lr {learning_rate:.2e}  {samples_per_second:.1} samples/s"
                    ));
                }
            }
            TrainingEvent::Log {
                step, epoch, loss, ..
            } => self.say(format!(
                "step {step} (epoch {epoch:.2}): training loss {loss:.4}"
            )),
            TrainingEvent::Evaluation { epoch, metrics, .. } => {
                self.say(metrics_table(epoch, &metrics))
            }
            TrainingEvent::Resumed { epochs_done, step } => self.say(format!(
                "Resuming after epoch {epochs_done} (step {step}); the run so far:"
            )),
            TrainingEvent::StoppedEarly {
                step,
                epoch,
                metric,
                evaluations,
                threshold,
            } => {
                let by = if threshold > 0.0 {
                    format!(" by more than {threshold}")
                } else {
                    String::new()
                };
                self.say(format!(
                    "Stopped early at epoch {epoch:.2} (step {step}): no better {}{by} for {evaluations} evaluations.",
                    json_name(&metric)
                ))
            }
            TrainingEvent::EpochFinished { .. } => {}
            TrainingEvent::CheckpointSaved { path, .. } => {
                self.say(format!("checkpoint saved: {path}"))
            }
            TrainingEvent::Warning { message } => self.say(format!("Note: {message}")),
            TrainingEvent::Finished {
                output_dir,
                seconds,
                best_epoch,
                ..
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                let best = best_epoch
                    .map(|e| format!(" (best epoch: {e})"))
                    .unwrap_or_default();
                if self.other_node {
                    eprintln!(
                        "Done in {seconds:.0} s{best}. Node 0 saved the model to {output_dir}"
                    );
                } else {
                    eprintln!("Done in {seconds:.0} s{best}. Model saved to {output_dir}");
                }
            }
            // The error itself is printed once, by main, with its hint.
            TrainingEvent::Failed { .. } => {}
            TrainingEvent::Cancelled => eprintln!("Training stopped; no model was written."),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}

fn metrics_table(epoch: f64, m: &Metrics) -> String {
    if let Some(ml) = &m.multi_label {
        return format!(
            "evaluation after epoch {epoch:.2} (multi-label, threshold {}):\n  loss             {:.4}\n  subset accuracy  {:.4}\n  micro F1         {:.4}\n  macro F1         {:.4}\n  Hamming loss     {:.4}",
            ml.threshold,
            m.loss.unwrap_or(f64::NAN),
            m.accuracy,
            ml.micro_f1,
            m.macro_f1,
            ml.hamming_loss
        );
    }
    format!(
        "evaluation after epoch {epoch:.2}:\n  loss       {:.4}\n  accuracy   {:.4}\n  macro F1   {:.4}\n  precision  {:.4}\n  recall     {:.4}\n  top-1      {:.4}\n  top-2      {:.4}",
        m.loss.unwrap_or(f64::NAN),
        m.accuracy,
        m.macro_f1,
        m.macro_precision,
        m.macro_recall,
        m.top1_accuracy,
        m.top2_accuracy
    )
}
