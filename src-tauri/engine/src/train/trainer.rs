//! The training loop: the reference notebook's Trainer recipe, from CSV files to a saved
//! Hugging Face folder with its `training_report.json`.

use std::path::{Path, PathBuf};
use std::time::Instant;
use ts_rs::TS;

use crate::kernels::FusedOps;
use burn::module::AutodiffModule;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::tensor::ElementConversion;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::checkpoint::{
    BestEpoch, CHECKPOINTS_DIR, OPTIMIZER_FILE, REPORT_FILE, ResumePoint, RngState, STATE_FORMAT,
    TrainerState, checkpoint_folder, data_fingerprint, dropout_seed, finish_run_folder,
    latest_checkpoint, prune_checkpoints, read_optimizer, unfinished_run, write_optimizer,
    write_state,
};
use super::events::{ClassCount, DataSummary, TrainingEvent};
use super::optimizer::{AdamW, clip_factor, gradient_norm};
use super::recipe::{Recipe, StepPlan, Strategy};
use super::schedule::learning_rate;
use crate::backend::{BackendChoice, BackendKind, GpuLoad, choose_backend, on_gpu};
use crate::cancel::CancelToken;
use crate::data::csv_input::data_error;
use crate::data::{
    CsvDialect, RowsFingerprint, encode_labels, length_grouped_order, read_labelled_csv,
    shuffled_order, sorted_label_names, stratified_split,
};
use crate::error::{EngineError, Result};
use crate::fsutil::write_dir_atomically;
use crate::metrics::{Metrics, classification_metrics};
use crate::model::{
    BertForSequenceClassification, LoadOptions, ModelConfig, TextTokenizer, load_model_folder,
    write_model_files,
};
use crate::source::{HubSettings, resolve_model};
use crate::throttle::Throttle;
use crate::unix_now;
use burn::backend::Autodiff;

/// Everything a training run needs.
#[derive(Debug, Clone)]
pub struct TrainingRequest {
    pub recipe: Recipe,
    pub train_csv: PathBuf,
    pub validation_csv: Option<PathBuf>,
    pub output_dir: PathBuf,
    /// Overrides the detected CSV dialect (the app lets the user change it).
    pub dialect: Option<CsvDialect>,
    pub hub: HubSettings,
    /// Write a resumable checkpoint at every epoch end even when the recipe's save_strategy is
    /// "no" (the app always does); such checkpoints are removed once the run finishes.
    pub always_checkpoint: bool,
    /// Continue from this checkpoint of `output_dir` (see `TrainingRequest::resume`).
    pub resume_from: Option<ResumePoint>,
}

impl TrainingRequest {
    /// The request that continues the unfinished run in `output_dir` from its newest
    /// checkpoint: same recipe, same files, same dialect.
    pub fn resume(output_dir: &Path, hub: HubSettings) -> Result<Self> {
        if output_dir.join(REPORT_FILE).is_file() {
            return Err(EngineError::invalid(format!(
                "The run in \"{}\" has already finished; there is nothing to resume.",
                output_dir.display()
            )));
        }
        let Some((folder, state)) = latest_checkpoint(output_dir)? else {
            return Err(EngineError::invalid(format!(
                "\"{}\" holds no checkpoint to resume from. Checkpoints are written at each epoch end when save_strategy is \"epoch\" (always in the app); a run stopped before its first epoch ended has to start again.",
                output_dir.display()
            )));
        };
        Ok(TrainingRequest {
            recipe: state.recipe.clone(),
            train_csv: state.train_csv.clone(),
            validation_csv: state.validation_csv.clone(),
            output_dir: output_dir.to_path_buf(),
            dialect: state.dialect,
            hub,
            always_checkpoint: state.resumable_only,
            resume_from: Some(ResumePoint { folder, state }),
        })
    }

    fn checkpoints(&self) -> bool {
        self.always_checkpoint || self.recipe.save_strategy == Strategy::Epoch
    }

    /// Checkpoints written only so that the run can be resumed (removed at the end).
    fn resumable_only(&self) -> bool {
        self.recipe.save_strategy != Strategy::Epoch
    }
}

/// `training_report.json`: what was trained, on what, how it went.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrainingReport {
    pub engine_version: String,
    pub burn_version: String,
    #[ts(type = "number")]
    pub created_unix: u64,
    pub recipe: Recipe,
    pub base_model: String,
    pub backend: String,
    pub data: DataSummary,
    pub plan: StepPlan,
    pub parameters: usize,
    /// Logged losses, evaluations and epoch ends, in order.
    pub history: Vec<TrainingEvent>,
    pub final_metrics: Option<Metrics>,
    pub best_epoch: Option<usize>,
    pub wall_seconds: f64,
}

/// Texts turned into class ids, split into training and validation.
struct PreparedData {
    labels: Vec<String>,
    train_texts: Vec<String>,
    train_classes: Vec<usize>,
    validation_texts: Vec<String>,
    validation_classes: Vec<usize>,
    summary: DataSummary,
}

fn prepare_data(request: &TrainingRequest) -> Result<PreparedData> {
    let recipe = &request.recipe;
    let rows = read_labelled_csv(
        &request.train_csv,
        &recipe.text_column,
        &recipe.label_column,
        request.dialect,
    )?;
    let labels = sorted_label_names(&rows.labels);
    if labels.len() < 2 {
        return Err(data_error(
            &request.train_csv,
            None,
            format!(
                "every row has the same label (\"{}\"); a classifier needs at least two classes",
                labels[0]
            ),
        ));
    }
    let classes: Vec<usize> = encode_labels(&rows.labels, &labels)
        .into_iter()
        .map(|c| c.expect("own label"))
        .collect();
    let mut warnings = Vec::new();
    if rows.skipped_empty_text + rows.skipped_empty_label > 0 {
        warnings.push(format!(
            "{} row(s) were skipped: {} with an empty text, {} with an empty label.",
            rows.skipped_empty_text + rows.skipped_empty_label,
            rows.skipped_empty_text,
            rows.skipped_empty_label
        ));
    }
    if let Some((n, line)) = rows.suspect_quotes {
        warnings.push(format!(
            "{n} text(s) run over several lines and contain a quote character (first at line {line}): a quote may be left open in the file, which merges the rows after it into one text. Check the quotes there."
        ));
    }
    if !rows.labels_with_spaces.is_empty() {
        warnings.push(format!(
            "Some labels had spaces around them and were trimmed, so \" A\" and \"A\" count as one class: {}.",
            rows.labels_with_spaces.join(", ")
        ));
    }

    let (train_texts, train_classes, validation_texts, validation_classes, validation_file) =
        match &request.validation_csv {
            Some(path) => {
                let val = read_labelled_csv(path, &recipe.text_column, &recipe.label_column, None)?;
                let ids = encode_labels(&val.labels, &labels);
                let unseen: std::collections::BTreeSet<&str> = val
                    .labels
                    .iter()
                    .zip(&ids)
                    .filter(|(_, id)| id.is_none())
                    .map(|(l, _)| l.as_str())
                    .collect();
                if !unseen.is_empty() {
                    warnings.push(format!(
                        "The validation file has {} label(s) that the training file lacks ({}); those rows are left out of validation.",
                        unseen.len(),
                        unseen.iter().take(5).copied().collect::<Vec<_>>().join(", ")
                    ));
                }
                let (vt, vc): (Vec<String>, Vec<usize>) = val
                    .texts
                    .into_iter()
                    .zip(ids)
                    .filter_map(|(t, id)| id.map(|c| (t, c)))
                    .unzip();
                if vt.is_empty() {
                    return Err(data_error(
                        path,
                        None,
                        "no validation row has a label that the training file knows",
                    ));
                }
                (
                    rows.texts,
                    classes,
                    vt,
                    vc,
                    Some(path.display().to_string()),
                )
            }
            None => {
                let split = stratified_split(
                    &classes,
                    labels.len(),
                    recipe.validation_fraction,
                    recipe.seed,
                );
                if !split.unsplittable_classes.is_empty() {
                    let names: Vec<&str> = split
                        .unsplittable_classes
                        .iter()
                        .map(|c| labels[*c].as_str())
                        .collect();
                    warnings.push(format!(
                        "{} class(es) have a single example, so none of it can be held out for validation; they are used for training only: {}.",
                        names.len(),
                        names.iter().take(10).copied().collect::<Vec<_>>().join(", ")
                    ));
                }
                if split.validation.is_empty() {
                    return Err(data_error(
                        &request.train_csv,
                        None,
                        "there are too few rows to hold any out for validation; add rows or give a separate validation file",
                    ));
                }
                let pick = |rows_: &[usize], texts: &[String]| {
                    rows_.iter().map(|r| texts[*r].clone()).collect::<Vec<_>>()
                };
                let pick_c =
                    |rows_: &[usize]| rows_.iter().map(|r| classes[*r]).collect::<Vec<_>>();
                (
                    pick(&split.train, &rows.texts),
                    pick_c(&split.train),
                    pick(&split.validation, &rows.texts),
                    pick_c(&split.validation),
                    None,
                )
            }
        };
    let rare: Vec<&str> = (0..labels.len())
        .filter(|c| train_classes.iter().filter(|t| *t == c).count() < 5)
        .map(|c| labels[c].as_str())
        .collect();
    if !rare.is_empty() {
        warnings.push(format!(
            "{} class(es) have fewer than 5 training examples; the model will hardly learn them: {}.",
            rare.len(),
            rare.iter().take(10).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    let classes_summary = labels
        .iter()
        .enumerate()
        .map(|(c, l)| ClassCount {
            label: l.clone(),
            train: train_classes.iter().filter(|t| **t == c).count(),
            validation: validation_classes.iter().filter(|t| **t == c).count(),
        })
        .collect();
    let summary = DataSummary {
        train_file: request.train_csv.display().to_string(),
        validation_file,
        delimiter: rows.dialect.delimiter_name().into(),
        encoding: rows.dialect.encoding.label().into(),
        rows_read: rows.rows_read,
        skipped_empty_text: rows.skipped_empty_text,
        skipped_empty_label: rows.skipped_empty_label,
        train_rows: train_texts.len(),
        validation_rows: validation_texts.len(),
        classes: classes_summary,
        truncated_texts: 0,
        warnings,
        validation_fingerprint: Some(RowsFingerprint::of_classes(
            &validation_texts,
            &validation_classes,
            &labels,
        )),
    };
    Ok(PreparedData {
        labels,
        train_texts,
        train_classes,
        validation_texts,
        validation_classes,
        summary,
    })
}

/// Texts longer than this many characters are flagged in the data check: at about four
/// characters per word piece they exceed the usual maximum lengths and will be cut.
const LONG_TEXT_CHARS: usize = 1000;

/// What training would see in the data (classes, split, skipped rows, warnings), without
/// loading a model: the app's data step shows it before anything is trained.
pub fn check_data(request: &TrainingRequest) -> Result<DataSummary> {
    let prepared = prepare_data(request)?;
    let mut summary = prepared.summary;
    let long = prepared
        .train_texts
        .iter()
        .chain(&prepared.validation_texts)
        .filter(|t| t.chars().count() > LONG_TEXT_CHARS)
        .count();
    if long > 0 {
        summary.warnings.push(format!(
            "{long} text(s) are longer than {LONG_TEXT_CHARS} characters; beyond the maximum \
             length (max_seq_len, about 4 characters per token) they are cut."
        ));
    }
    Ok(summary)
}

/// What a training run puts on a GPU at once, for the advice when it runs out of memory.
#[cfg_attr(not(any(feature = "wgpu", feature = "cuda")), allow(dead_code))]
fn gpu_load(recipe: &Recipe) -> GpuLoad {
    GpuLoad {
        batch_size: recipe.train_batch_size.max(recipe.eval_batch_size),
        max_seq_len: recipe.max_seq_len,
    }
}

/// Trains on the backend the recipe asks for. Nothing is written to `output_dir` unless the
/// run finishes; a cancelled or failed run leaves any previous folder there untouched.
pub fn train(
    request: &TrainingRequest,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport> {
    let result = check_request(request)
        .and_then(|()| choose_backend(request.recipe.device))
        .and_then(|backend| match backend.kind {
            BackendKind::Cpu => {
                crate::kernels::prepare_cpu_compute();
                train_on::<Autodiff<crate::backend::CpuBackend>>(
                    request,
                    &Default::default(),
                    backend,
                    sink,
                    cancel,
                )
            }
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => on_gpu(backend.name, gpu_load(&request.recipe), || {
                train_on::<Autodiff<crate::backend::WgpuBackend>>(
                    request,
                    &Default::default(),
                    backend,
                    sink,
                    cancel,
                )
            }),
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => on_gpu(backend.name, gpu_load(&request.recipe), || {
                train_on::<Autodiff<crate::backend::CudaBackend>>(
                    request,
                    &Default::default(),
                    backend,
                    sink,
                    cancel,
                )
            }),
        });
    crate::kernels::return_freed_memory();
    match &result {
        Err(EngineError::Cancelled) => sink(TrainingEvent::Cancelled),
        Err(e) => sink(TrainingEvent::Failed { error: e.report() }),
        Ok(_) => {}
    }
    result
}

/// A valid recipe, and no unfinished run in the output folder that a fresh run would destroy.
fn check_request(request: &TrainingRequest) -> Result<()> {
    request.recipe.validate()?;
    if request.resume_from.is_none()
        && let Some(run) = unfinished_run(&request.output_dir)?
    {
        return Err(EngineError::invalid(format!(
            "\"{}\" holds an unfinished run ({} of {} epochs done). Resume it, or choose another output folder.",
            request.output_dir.display(),
            run.epochs_done,
            run.epochs,
        )));
    }
    Ok(())
}

/// Token ids and classes of one side of the data.
struct Encoded {
    ids: Vec<Vec<u32>>,
    classes: Vec<usize>,
}

impl Encoded {
    fn lengths(&self) -> Vec<usize> {
        self.ids.iter().map(Vec::len).collect()
    }
}

fn targets<B: Backend>(classes: &[usize], device: &B::Device) -> Tensor<B, 1, Int> {
    let values: Vec<i64> = classes.iter().map(|c| *c as i64).collect();
    Tensor::from_data(TensorData::new(values, [classes.len()]), device)
}

fn train_on<B: AutodiffBackend + FusedOps>(
    request: &TrainingRequest,
    device: &B::Device,
    backend: BackendChoice,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport>
where
    B::InnerBackend: FusedOps,
{
    let started = Instant::now();
    let recipe = &request.recipe;
    let mut data = prepare_data(request)?;
    let fingerprint = data_fingerprint(
        &data.labels,
        (&data.train_texts, &data.train_classes),
        (&data.validation_texts, &data.validation_classes),
    );
    let resumed = if let Some(ResumePoint { folder, state }) = &request.resume_from {
        if state.data_fingerprint != fingerprint {
            return Err(data_error(
                &request.train_csv,
                None,
                "the rows are not the ones this run started with (the file, or its validation file, changed since), so the run cannot continue from its checkpoint; put the original file back or start a new run",
            ));
        }
        if state.backend != backend.name {
            sink(TrainingEvent::Warning {
                message: format!(
                    "The run started on {} and continues on {}: its results may differ slightly from a run that was never interrupted.",
                    state.backend, backend.name
                ),
            });
        }
        Some((folder.clone(), state.clone()))
    } else {
        None
    };
    // A resumed run starts from its checkpoint's model folder: nothing to download.
    let folder = match &resumed {
        Some((path, _)) => path.clone(),
        None => resolve_model(&recipe.model, &request.hub, &mut |e| {
            sink(TrainingEvent::Download(e))
        })?,
    };
    let labelled = LoadOptions {
        labels: Some(data.labels.clone()),
        seed: Some(recipe.seed),
    };
    let loaded = load_model_folder::<B>(&folder, &labelled, device)?;
    if recipe.max_seq_len > loaded.config.bert.max_position_embeddings {
        return Err(EngineError::invalid(format!(
            "max_seq_len is {} but this model reads at most {} tokens; lower max_seq_len.",
            recipe.max_seq_len, loaded.config.bert.max_position_embeddings
        )));
    }
    let config = config_with_labels(&loaded.config, &data.labels);
    let tokenizer = loaded.tokenizer.clone();
    let encode = |texts: &[String], classes: Vec<usize>| -> Result<(Encoded, usize)> {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let encoded = tokenizer.encode_counting_cuts(&refs, recipe.max_seq_len)?;
        Ok((
            Encoded {
                ids: encoded.ids,
                classes,
            },
            encoded.cut,
        ))
    };
    let (train_set, train_cut) =
        encode(&data.train_texts, std::mem::take(&mut data.train_classes))?;
    let (validation_set, validation_cut) = encode(
        &data.validation_texts,
        std::mem::take(&mut data.validation_classes),
    )?;
    let truncated = train_cut + validation_cut;
    data.summary.truncated_texts = truncated;
    if truncated > 0 {
        data.summary.warnings.push(format!(
            "{truncated} text(s) are longer than the maximum length ({} tokens) and are cut there; raise the maximum length if their ends matter.",
            recipe.max_seq_len
        ));
    }

    let plan = StepPlan::new(recipe, train_set.ids.len());
    let mut model = loaded.model;
    let parameters = model.num_parameters();
    sink(TrainingEvent::Started {
        model: recipe.model.clone(),
        backend: backend.name.to_string(),
        backend_reason: backend.reason.to_string(),
        data: data.summary.clone(),
        plan,
        parameters,
    });

    let mut optimizer = AdamW::<B>::new(&mut model, recipe.weight_decay);
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut rng = ChaCha8Rng::seed_from_u64(recipe.seed);
    let mut step = 0usize;
    let mut history = Vec::new();
    let mut last_metrics: Option<Metrics> = None;
    let mut best: Option<(BestEpoch, BertForSequenceClassification<B::InnerBackend>)> = None;
    let mut loss_since_log = (0.0f64, 0usize);
    let mut first_epoch = 0;
    let mut micro_batches_done = 0;
    let mut wall_before = 0.0;
    let mut started_unix = unix_now();
    let mut last_checkpoint: Option<(usize, PathBuf)> = None;
    if let Some((path, state)) = resumed {
        // A checkpoint being written when the process was killed left a hidden folder.
        crate::fsutil::remove_stale_partials(&request.output_dir.join(CHECKPOINTS_DIR));
        let (moments, steps) = read_optimizer(&path.join(OPTIMIZER_FILE))?;
        optimizer
            .restore_moments(&mut model, moments, steps, device)
            .map_err(|why| {
                EngineError::invalid(format!(
                    "The checkpoint in \"{}\" does not fit its own model ({why}); start the run again.",
                    path.display()
                ))
            })?;
        let word_pos: u128 = state.rng.shuffle_word_pos.parse().map_err(|_| {
            EngineError::invalid(format!(
                "The checkpoint state in \"{}\" is damaged (random-generator position); start the run again.",
                path.display()
            ))
        })?;
        rng = ChaCha8Rng::seed_from_u64(state.rng.shuffle_seed);
        rng.set_word_pos(word_pos);
        if let Some(kept) = state.best {
            let folder = checkpoint_folder(&request.output_dir, kept.epoch);
            let model = load_model_folder::<B::InnerBackend>(&folder, &labelled, device)?.model;
            best = Some((kept, model));
        }
        step = state.step;
        history = state.history;
        last_metrics = state.last_metrics;
        loss_since_log = state.loss_since_log;
        first_epoch = state.epochs_done;
        micro_batches_done = state.micro_batches_done;
        wall_before = state.wall_seconds;
        started_unix = state.started_unix;
        last_checkpoint = Some((state.epochs_done, path));
        sink(TrainingEvent::Resumed {
            epochs_done: first_epoch,
            step,
        });
        // The page and the CLI show the whole run, not only the part after the resume.
        for event in &history {
            sink(event.clone());
        }
    }
    let mut progress = ProgressMeter::new(plan, micro_batches_done);

    for epoch in first_epoch..recipe.epochs {
        let epoch_started = Instant::now();
        B::seed(device, dropout_seed(recipe.seed, epoch));
        let order = if recipe.group_by_length {
            length_grouped_order(
                &train_set.lengths(),
                recipe.train_batch_size * recipe.gradient_accumulation_steps,
                &mut rng,
            )
        } else {
            shuffled_order(train_set.ids.len(), &mut rng)
        };
        let batches: Vec<&[usize]> = order.chunks(recipe.train_batch_size).collect();
        let mut epoch_loss = (0.0f64, 0usize);
        let mut batches_done = 0;
        // One optimizer step per group of micro-batches; the epoch's last group may be shorter,
        // and its loss is then averaged over the micro-batches it has (as the Trainer does).
        for group in batches.chunks(recipe.gradient_accumulation_steps) {
            let mut accumulator = GradientsAccumulator::<BertForSequenceClassification<B>>::new();
            for rows in group {
                if cancel.is_cancelled() {
                    return Err(EngineError::Cancelled);
                }
                let seqs: Vec<&[u32]> = rows.iter().map(|r| train_set.ids[*r].as_slice()).collect();
                let classes: Vec<usize> = rows.iter().map(|r| train_set.classes[*r]).collect();
                let input = tokenizer.pad(&seqs).to_input::<B>(device);
                let logits = model.forward(input).logits;
                let loss = loss_fn.forward(logits, targets::<B>(&classes, device));
                let loss_value = loss.clone().into_scalar().elem::<f64>();
                if !loss_value.is_finite() {
                    let kept = match &last_checkpoint {
                        Some((epoch, path)) => format!(
                            " The last good checkpoint (after epoch {epoch}) is kept in \"{}\".",
                            path.display()
                        ),
                        None => String::new(),
                    };
                    return Err(EngineError::invalid(format!(
                        "The training loss became {loss_value} at step {step}: the learning rate ({}) is probably too high. Try a lower one, e.g. {:.0e}.{kept}",
                        recipe.learning_rate,
                        recipe.learning_rate / 5.0
                    )));
                }
                epoch_loss = (epoch_loss.0 + loss_value, epoch_loss.1 + 1);
                let grads = loss.div_scalar(group.len() as f64).backward();
                accumulator.accumulate(&model, GradientsParams::from_grads(grads, &model));
                progress.micro_batch(loss_value, rows.len());
            }
            batches_done += group.len();

            let grads = accumulator.grads();
            let norm = gradient_norm(&model, &grads);
            let lr = learning_rate(
                recipe.scheduler,
                recipe.learning_rate,
                step,
                plan.warmup_steps,
                plan.total_steps,
            );
            model = optimizer.step(model, grads, lr, clip_factor(norm, recipe.max_grad_norm));
            step += 1;
            let group_loss = progress.take_group_loss();
            loss_since_log = (loss_since_log.0 + group_loss, loss_since_log.1 + 1);
            let epoch_float = epoch as f64 + batches_done as f64 / batches.len() as f64;

            if let Some(event) = progress.maybe_report(step, epoch_float, lr) {
                sink(event);
            }
            if recipe.logging_strategy == Strategy::Steps && step % recipe.logging_steps == 0 {
                let event = TrainingEvent::Log {
                    step,
                    epoch: epoch_float,
                    loss: loss_since_log.0 / loss_since_log.1.max(1) as f64,
                    learning_rate: lr,
                    grad_norm: Some(norm),
                };
                loss_since_log = (0.0, 0);
                history.push(event.clone());
                sink(event);
            }
            if recipe.eval_strategy == Strategy::Steps && step % recipe.eval_steps == 0 {
                let metrics = evaluate(
                    &model.valid(),
                    &validation_set,
                    recipe.eval_batch_size,
                    &tokenizer,
                    &data.labels,
                    device,
                );
                let event = TrainingEvent::Evaluation {
                    step,
                    epoch: epoch_float,
                    metrics: metrics.clone(),
                };
                history.push(event.clone());
                sink(event);
                last_metrics = Some(metrics);
            }
        }

        let train_loss = epoch_loss.0 / epoch_loss.1.max(1) as f64;
        if recipe.logging_strategy == Strategy::Epoch {
            let event = TrainingEvent::Log {
                step,
                epoch: (epoch + 1) as f64,
                loss: loss_since_log.0 / loss_since_log.1.max(1) as f64,
                learning_rate: learning_rate(
                    recipe.scheduler,
                    recipe.learning_rate,
                    step.saturating_sub(1),
                    plan.warmup_steps,
                    plan.total_steps,
                ),
                grad_norm: None,
            };
            loss_since_log = (0.0, 0);
            history.push(event.clone());
            sink(event);
        }
        let event = TrainingEvent::EpochFinished {
            epoch: epoch + 1,
            train_loss,
            seconds: epoch_started.elapsed().as_secs_f64(),
        };
        history.push(event.clone());
        sink(event);

        if recipe.eval_strategy == Strategy::Epoch {
            let valid = model.valid();
            let metrics = evaluate(
                &valid,
                &validation_set,
                recipe.eval_batch_size,
                &tokenizer,
                &data.labels,
                device,
            );
            let event = TrainingEvent::Evaluation {
                step,
                epoch: (epoch + 1) as f64,
                metrics: metrics.clone(),
            };
            history.push(event.clone());
            sink(event);
            if recipe.load_best
                && best.as_ref().is_none_or(|(kept, _)| {
                    recipe
                        .metric_for_best_model
                        .improves(&metrics, &kept.metrics)
                })
            {
                let kept = BestEpoch {
                    epoch: epoch + 1,
                    metrics: metrics.clone(),
                };
                best = Some((kept, valid));
            }
            last_metrics = Some(metrics);
        }
        if request.checkpoints() {
            let path = checkpoint_folder(&request.output_dir, epoch + 1);
            let event = TrainingEvent::CheckpointSaved {
                step,
                path: path.display().to_string(),
            };
            // Checkpoints kept only for resuming are gone at the end: not in the report.
            if !request.resumable_only() {
                history.push(event.clone());
            }
            let state = TrainerState {
                format_version: STATE_FORMAT,
                recipe: recipe.clone(),
                train_csv: request.train_csv.clone(),
                validation_csv: request.validation_csv.clone(),
                dialect: request.dialect,
                resumable_only: request.resumable_only(),
                data_fingerprint: fingerprint.clone(),
                backend: backend.name.to_string(),
                epochs_done: epoch + 1,
                step,
                micro_batches_done: progress.micro_batches_total(),
                rng: RngState {
                    shuffle_seed: recipe.seed,
                    shuffle_word_pos: rng.get_word_pos().to_string(),
                },
                history: history.clone(),
                loss_since_log,
                last_metrics: last_metrics.clone(),
                best: best.as_ref().map(|(kept, _)| kept.clone()),
                started_unix,
                saved_unix: unix_now(),
                wall_seconds: wall_before + started.elapsed().as_secs_f64(),
                data: data.summary.clone(),
                plan,
                parameters,
            };
            write_dir_atomically(&path, |dir| {
                write_model_files(dir, &model.valid(), &config, &tokenizer)?;
                let moments = optimizer.moments_by_name(&mut model);
                write_optimizer(&dir.join(OPTIMIZER_FILE), moments, optimizer.steps)?;
                write_state(dir, &state)
            })?;
            prune_checkpoints(
                &request.output_dir,
                Some(epoch + 1),
                request.resumable_only(),
                best.as_ref().map(|(kept, _)| kept.epoch),
            );
            last_checkpoint = Some((epoch + 1, path));
            sink(event);
        }
    }

    let (final_model, final_metrics, best_epoch) = match best {
        Some((best, model)) => (model, Some(best.metrics), Some(best.epoch)),
        None => (model.valid(), last_metrics, None),
    };
    let report = TrainingReport {
        engine_version: crate::VERSION.into(),
        burn_version: crate::BURN_VERSION.into(),
        created_unix: unix_now(),
        recipe: recipe.clone(),
        base_model: recipe.model.clone(),
        backend: backend.name.to_string(),
        data: data.summary.clone(),
        plan,
        parameters,
        history,
        final_metrics: final_metrics.clone(),
        best_epoch,
        wall_seconds: wall_before + started.elapsed().as_secs_f64(),
    };
    save_trained_folder(
        &request.output_dir,
        &final_model,
        &config,
        &tokenizer,
        &report,
        !request.resumable_only(),
    )?;
    sink(TrainingEvent::Finished {
        output_dir: request.output_dir.display().to_string(),
        metrics: final_metrics,
        best_epoch,
        seconds: report.wall_seconds,
    });
    Ok(report)
}

fn config_with_labels(config: &ModelConfig, labels: &[String]) -> ModelConfig {
    let mut config = config.clone();
    config.set_labels(labels);
    config
}

/// The model folder plus `recipe.json` and `training_report.json`, all in one atomic move.
fn save_trained_folder<B: Backend>(
    dest: &Path,
    model: &BertForSequenceClassification<B>,
    config: &ModelConfig,
    tokenizer: &TextTokenizer,
    report: &TrainingReport,
    keep_checkpoints: bool,
) -> Result<()> {
    finish_run_folder(dest, keep_checkpoints, |dir| {
        write_model_files(dir, model, config, tokenizer)?;
        let write = |name: &str, text: String| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| EngineError::io("write", &path, e))
        };
        write("recipe.json", report.recipe.to_json())?;
        write(
            REPORT_FILE,
            serde_json::to_string_pretty(report)
                .map_err(|e| EngineError::invalid(e.to_string()))?,
        )
    })
}

/// Validation metrics, with the loss; the model runs without dropout.
fn evaluate<B: FusedOps>(
    model: &BertForSequenceClassification<B>,
    data: &Encoded,
    batch_size: usize,
    tokenizer: &TextTokenizer,
    labels: &[String],
    device: &B::Device,
) -> Metrics {
    let k = labels.len();
    let mut scores = Vec::with_capacity(data.ids.len() * k);
    let mut loss_sum = 0.0f64;
    for (chunk_i, chunk) in data.ids.chunks(batch_size).enumerate() {
        let rows: Vec<&[u32]> = chunk.iter().map(Vec::as_slice).collect();
        let logits = model
            .forward(tokenizer.pad(&rows).to_input::<B>(device))
            .logits;
        let values: Vec<f32> = logits
            .into_data()
            .convert::<f32>()
            .into_vec()
            .expect("f32 logits");
        for (j, row) in values.chunks(k).enumerate() {
            let truth = data.classes[chunk_i * batch_size + j];
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
            let log_sum = row
                .iter()
                .map(|v| (*v as f64 - max).exp())
                .sum::<f64>()
                .ln()
                + max;
            loss_sum += log_sum - row[truth] as f64;
        }
        scores.extend(values);
    }
    let loss = loss_sum / data.ids.len().max(1) as f64;
    classification_metrics(&data.classes, &scores, labels, Some(loss))
}

/// Throttled progress: samples/s, ETA, mean loss since the last report.
struct ProgressMeter {
    plan: StepPlan,
    earlier_micro_batches: usize,
    started: Instant,
    throttle: Throttle,
    samples: usize,
    micro_batches: usize,
    loss_since_report: (f64, usize),
    group_loss: (f64, usize),
}

impl ProgressMeter {
    /// `earlier_micro_batches`: done before a resume (they count for the time left, not the speed).
    fn new(plan: StepPlan, earlier_micro_batches: usize) -> Self {
        ProgressMeter {
            plan,
            earlier_micro_batches,
            started: Instant::now(),
            throttle: Throttle::new(std::time::Duration::from_millis(250)),
            samples: 0,
            micro_batches: 0,
            loss_since_report: (0.0, 0),
            group_loss: (0.0, 0),
        }
    }

    fn micro_batch(&mut self, loss: f64, samples: usize) {
        self.samples += samples;
        self.micro_batches += 1;
        self.loss_since_report = (
            self.loss_since_report.0 + loss,
            self.loss_since_report.1 + 1,
        );
        self.group_loss = (self.group_loss.0 + loss, self.group_loss.1 + 1);
    }

    fn micro_batches_total(&self) -> usize {
        self.earlier_micro_batches + self.micro_batches
    }

    /// Mean micro-batch loss of the optimizer step just taken.
    fn take_group_loss(&mut self) -> f64 {
        let (sum, n) = std::mem::take(&mut self.group_loss);
        sum / n.max(1) as f64
    }

    fn maybe_report(&mut self, step: usize, epoch: f64, lr: f64) -> Option<TrainingEvent> {
        let due = self.throttle.ready();
        if !due && step != self.plan.total_steps {
            return None;
        }
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let epochs = self.plan.total_steps / self.plan.steps_per_epoch.max(1);
        let total_micro = self.plan.micro_batches_per_epoch * epochs;
        let remaining = total_micro.saturating_sub(self.micro_batches_total()) as f64;
        let per_micro = elapsed / self.micro_batches.max(1) as f64;
        let (sum, n) = std::mem::take(&mut self.loss_since_report);
        Some(TrainingEvent::Step {
            step,
            total_steps: self.plan.total_steps,
            epoch,
            loss: sum / n.max(1) as f64,
            learning_rate: lr,
            samples_per_second: self.samples as f64 / elapsed,
            eta_seconds: remaining * per_micro,
        })
    }
}
