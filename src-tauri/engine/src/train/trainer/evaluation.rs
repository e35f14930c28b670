//! Evaluation and what it decides: the validation metrics of an evaluation, early stopping,
//! and which epoch's model is kept as the best. In a split run every copy evaluates, and the
//! decisions are the lead copy's on every copy (node 0's), so that no node stops or keeps a
//! model alone because its own sums differed in the last bit.

use burn::tensor::backend::AutodiffBackend;

use super::{Model, Trainer};
use crate::error::Result;
use crate::kernels::FusedOps;
use crate::metrics::Metrics;
use crate::scoring::{PaddingCount, budget_row_tokens, logits_by_length};
use crate::train::events::TrainingEvent;
use crate::train::loss::validation_metrics;
use crate::train::run_state::BestEpoch;

impl<B: AutodiffBackend + FusedOps> Trainer<'_, B>
where
    B::InnerBackend: FusedOps,
{
    /// Validation metrics with the loss (the model runs without dropout), recorded as an
    /// `Evaluation` event and kept as the run's latest; counted towards early stopping.
    pub(super) fn evaluate(
        &mut self,
        model: &Model<B::InnerBackend>,
        epoch: f64,
    ) -> Result<Metrics> {
        let budget =
            self.request.recipe.eval_batch_size.max(1) * budget_row_tokens(self.backend.kind);
        let logits = logits_by_length(
            model,
            &self.tokenizer,
            &self.validation_set.ids,
            budget,
            &self.device,
            &PaddingCount::default(),
            self.cancel,
        )?;
        let metrics = validation_metrics(
            &logits,
            &self.validation_set.targets,
            &self.labels,
            self.class_weights.as_deref(),
            self.request.recipe.decision_threshold,
        );
        self.record(TrainingEvent::Evaluation {
            step: self.run.step,
            epoch,
            metrics: metrics.clone(),
        });
        self.run.last_metrics = Some(metrics.clone());
        self.watch_for_early_stop(&metrics, epoch)?;
        Ok(metrics)
    }

    /// Keeps the epoch's model as the best so far when the recipe asks (`load_best`) and its
    /// metric improved on the kept one.
    pub(super) fn keep_if_best(
        &mut self,
        model: Model<B::InnerBackend>,
        metrics: Metrics,
        epoch: usize,
    ) -> Result<()> {
        if !self.request.recipe.load_best {
            return Ok(());
        }
        let best = self.request.recipe.metric_for_best_model;
        let improves = self
            .run
            .best
            .as_ref()
            .is_none_or(|kept| best.improves(&metrics, &kept.metrics));
        if self.lead_decides(improves)? {
            self.run.best = Some(BestEpoch { epoch, metrics });
            self.best_model = Some(model);
        }
        Ok(())
    }

    /// Counts the evaluation towards early stopping, and ends the run (after this step) when
    /// the recipe's patience has run out.
    fn watch_for_early_stop(&mut self, metrics: &Metrics, epoch: f64) -> Result<()> {
        let recipe = &self.request.recipe;
        let patience = recipe.early_stopping_patience;
        if patience == 0 || self.run.stopped_early {
            return Ok(());
        }
        let metric = recipe.metric_for_best_model;
        let threshold = recipe.early_stopping_threshold;
        let out_of_patience =
            self.run
                .early_stopping
                .observe(metric.score(metrics), patience, threshold);
        if self.lead_decides(out_of_patience)? {
            self.run.stopped_early = true;
            self.record(TrainingEvent::StoppedEarly {
                step: self.run.step,
                epoch,
                metric,
                evaluations: patience,
                threshold,
            });
        }
        Ok(())
    }

    /// This copy's own answer alone, or the lead copy's in a split run.
    fn lead_decides(&mut self, answer: bool) -> Result<bool> {
        match &mut self.sync {
            Some(sync) => Ok(sync.lead_decides([answer], self.cancel)?[0]),
            None => Ok(answer),
        }
    }
}
