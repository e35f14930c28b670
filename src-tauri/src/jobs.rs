//! The one training job the app runs at a time: started on its own thread, cancellable by id,
//! its events forwarded as the engine sends them (the engine paces its progress events).

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bert_studio_engine::error::panic_message;
use bert_studio_engine::message::Message;
use bert_studio_engine::search::{SearchEvent, SearchPlan, run_search};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{CancelToken, TrainingEvent, TrainingRequest, train};
use bert_studio_engine::{ErrorReport, said};

struct RunningJob {
    id: u64,
    /// The run folders the job writes to (a search's: one per trial).
    folders: Vec<PathBuf>,
    cancel: CancelToken,
    finished: Arc<AtomicBool>,
}

#[derive(Default)]
pub struct TrainingJobs {
    current: Mutex<Option<RunningJob>>,
    next_id: AtomicU64,
}

impl TrainingJobs {
    /// Starts `request` on a new thread; `deliver` receives its events (progress a few times a
    /// second at most). Refused while another run is going.
    pub fn start(
        &self,
        request: TrainingRequest,
        deliver: impl FnMut(TrainingEvent) + Send + 'static,
    ) -> Result<u64, ErrorReport> {
        let folders = vec![request.output_dir.clone()];
        self.start_job(
            folders,
            deliver,
            move |sink, cancel| {
                // The outcome also arrives as an event (finished, failed or cancelled).
                let _ = train(&request, sink, cancel);
            },
            |error| TrainingEvent::Failed { error },
        )
    }

    /// Starts the search `plan` (saved in `folder`) as the one job, its trials one after the
    /// other; `deliver` receives its events.
    pub fn start_search(
        &self,
        folder: PathBuf,
        plan: SearchPlan,
        hub: HubSettings,
        deliver: impl FnMut(SearchEvent) + Send + 'static,
    ) -> Result<u64, ErrorReport> {
        // The plan's folder counts too: a running search is neither listed to go on with nor
        // discarded.
        let folders = plan
            .trials
            .iter()
            .map(|t| PathBuf::from(&t.folder))
            .chain([folder.clone()])
            .collect();
        self.start_job(
            folders,
            deliver,
            move |sink, cancel| {
                let _ = run_search(&folder, &plan, &hub, sink, cancel);
            },
            |error| SearchEvent::Failed { error },
        )
    }

    /// Runs `run` on a new thread as the one job, writing to `folders`; a panic inside it ends
    /// the job with the `failed` event.
    fn start_job<E: Send + 'static>(
        &self,
        folders: Vec<PathBuf>,
        mut deliver: impl FnMut(E) + Send + 'static,
        run: impl FnOnce(&mut dyn FnMut(E), &CancelToken) + Send + 'static,
        failed: fn(ErrorReport) -> E,
    ) -> Result<u64, ErrorReport> {
        let mut current = self.current.lock().expect("job lock");
        if current
            .as_ref()
            .is_some_and(|job| !job.finished.load(Ordering::SeqCst))
        {
            return Err(ErrorReport::said(
                "busy",
                said!("app.training_busy", "A training run is already going."),
                Some(said!(
                    "app.training_busy_hint",
                    "Wait for it to finish, or cancel it first."
                )),
            ));
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let cancel = CancelToken::new();
        let finished = Arc::new(AtomicBool::new(false));
        let job = RunningJob {
            id,
            folders,
            cancel: cancel.clone(),
            finished: finished.clone(),
        };
        std::thread::Builder::new()
            .name(format!("training-{id}"))
            .spawn(move || {
                let outcome =
                    std::panic::catch_unwind(AssertUnwindSafe(|| run(&mut deliver, &cancel)));
                // Over as soon as `run` returns. Its own last event (finished, cancelled) came
                // a moment before, so a list asked for at once may still leave this job's
                // folders out; the Models section reads the lists again when it opens.
                finished.store(true, Ordering::SeqCst);
                if let Err(panic) = outcome {
                    deliver(failed(ErrorReport::said(
                        "internal",
                        internal_error(panic.as_ref()),
                        None,
                    )));
                }
            })
            .map_err(|e| {
                ErrorReport::said(
                    "io",
                    said!(
                        "app.no_thread",
                        "Could not start the training thread: {detail}.",
                        detail = e.to_string()
                    ),
                    None,
                )
            })?;
        *current = Some(job);
        Ok(id)
    }

    /// Asks job `id` to stop (it stops before its next micro-batch). False if it is not running.
    pub fn cancel(&self, id: u64) -> bool {
        let current = self.current.lock().expect("job lock");
        match current.as_ref() {
            Some(job) if job.id == id && !job.finished.load(Ordering::SeqCst) => {
                job.cancel.cancel();
                true
            }
            _ => false,
        }
    }

    /// Whether the running job writes to `folder` (its checkpoints are not an unfinished run).
    pub fn runs_in(&self, folder: &Path) -> bool {
        let current = self.current.lock().expect("job lock");
        current.as_ref().is_some_and(|job| {
            !job.finished.load(Ordering::SeqCst) && job.folders.iter().any(|f| f == folder)
        })
    }

    pub fn is_running(&self) -> bool {
        let current = self.current.lock().expect("job lock");
        current
            .as_ref()
            .is_some_and(|job| !job.finished.load(Ordering::SeqCst))
    }

    /// Cancels whatever runs and waits up to `patience` for it to stop, so that its temporary
    /// folder is cleaned up before the app exits.
    pub fn cancel_and_wait(&self, patience: Duration) {
        let finished = match self.current.lock().expect("job lock").as_ref() {
            Some(job) => {
                job.cancel.cancel();
                job.finished.clone()
            }
            None => return,
        };
        let deadline = std::time::Instant::now() + patience;
        while !finished.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A panic's message, in words for the page: a bug, not something the user did.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> Message {
    let what = panic_message(panic).unwrap_or_else(|| "no details".into());
    said!(
        "app.internal_error",
        "BERT Studio stopped this job after an internal error ({what}). Your files are \
         unchanged; please report this with the settings you used.",
        what = what
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bert_studio_engine::train::Recipe;
    use std::sync::mpsc;

    fn sample_request(output_dir: std::path::PathBuf) -> TrainingRequest {
        let root = env!("CARGO_MANIFEST_DIR");
        TrainingRequest {
            recipe: Recipe {
                model: format!("{root}/src-tauri/engine/tests/fixtures/tiny-bert"),
                epochs: 3,
                max_seq_len: 32,
                ..Recipe::default()
            },
            train_csv: format!("{root}/data/sample/nace_fr.csv").into(),
            validation_csv: None,
            output_dir,
            dialect: None,
            hub: HubSettings {
                offline: true,
                ..HubSettings::default()
            },
            always_checkpoint: true,
            resume_from: None,
            cluster: Default::default(),
        }
    }

    #[test]
    fn one_run_at_a_time_and_cancel_leaves_no_model() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("model");
        let jobs = TrainingJobs::default();
        let (tx, rx) = mpsc::channel();
        let id = jobs
            .start(sample_request(output.clone()), move |event| {
                tx.send(event).unwrap()
            })
            .unwrap();
        assert!(jobs.is_running());
        let busy = jobs
            .start(sample_request(dir.path().join("other")), |_| {})
            .unwrap_err();
        assert_eq!(busy.kind, "busy");
        assert!(!jobs.cancel(id + 1), "an unknown job is not cancelled");

        // Cancel once training has started, then wait for the outcome.
        let mut events = Vec::new();
        while !events
            .iter()
            .any(|e| matches!(e, TrainingEvent::Started { .. }))
        {
            events.push(rx.recv_timeout(Duration::from_secs(60)).unwrap());
        }
        assert!(jobs.cancel(id));
        loop {
            let event = rx.recv_timeout(Duration::from_secs(60)).unwrap();
            let over = matches!(
                event,
                TrainingEvent::Cancelled | TrainingEvent::Finished { .. }
            );
            events.push(event);
            if over {
                break;
            }
        }
        assert_eq!(events.last(), Some(&TrainingEvent::Cancelled));
        assert!(!output.exists(), "a cancelled run saves nothing");
        // The job is over: a new one may start, and it can be stopped at once on exit.
        jobs.cancel_and_wait(Duration::from_secs(10));
        assert!(!jobs.is_running());
        assert!(!jobs.cancel(id));
        let next = dir.path().join("next");
        jobs.start(sample_request(next.clone()), |_| {}).unwrap();
        jobs.cancel_and_wait(Duration::from_secs(60));
        assert!(!jobs.is_running(), "stopped within the wait");
        assert!(!next.exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "no temporary folder is left: {leftovers:?}"
        );
    }

    /// A panic inside a run ends the job with a `Failed` outcome; the app is free again.
    #[test]
    fn a_panicking_run_fails_and_frees_the_app() {
        let dir = tempfile::tempdir().unwrap();
        let jobs = TrainingJobs::default();
        let (tx, rx) = mpsc::channel();
        jobs.start_job(
            vec![dir.path().join("model")],
            move |event| tx.send(event).unwrap(),
            |sink, _| {
                sink(log(1));
                panic!("index out of bounds");
            },
            |error| TrainingEvent::Failed { error },
        )
        .unwrap();
        let mut events = Vec::new();
        while !events
            .iter()
            .any(|e| matches!(e, TrainingEvent::Failed { .. }))
        {
            events.push(rx.recv_timeout(Duration::from_secs(10)).unwrap());
        }
        let Some(TrainingEvent::Failed { error }) = events.last() else {
            panic!("{events:?}")
        };
        assert_eq!(error.kind, "internal");
        assert!(
            error
                .message
                .contains("internal error (index out of bounds)"),
            "{}",
            error.message
        );
        assert!(!jobs.is_running());
        jobs.start(sample_request(dir.path().join("next")), |_| {})
            .unwrap();
        jobs.cancel_and_wait(Duration::from_secs(60));
    }

    /// A search is the one job too: every trial's folder is its own while it runs, another run
    /// waits, and the search ends with its outcome.
    #[test]
    fn a_search_is_the_one_job_over_all_its_trials() {
        use bert_studio_engine::search::SearchSpace;
        let dir = tempfile::tempdir().unwrap();
        let mut base = sample_request(dir.path().join("base"));
        base.recipe.epochs = 1;
        let space = SearchSpace {
            learning_rates: vec![1e-3, 1e-4],
            epochs: vec![1],
            trials: None,
        };
        let plan = SearchPlan::new(&base, space, |t| dir.path().join(&t.name)).unwrap();
        let jobs = TrainingJobs::default();
        let (tx, rx) = mpsc::channel();
        let folder = dir.path().join("search");
        jobs.start_search(folder, plan, base.hub.clone(), move |event| {
            tx.send(event).unwrap()
        })
        .unwrap();
        assert!(jobs.runs_in(&dir.path().join("trial-2")));
        assert!(!jobs.runs_in(&dir.path().join("elsewhere")));
        let busy = jobs
            .start(sample_request(dir.path().join("other")), |_| {})
            .unwrap_err();
        assert_eq!(busy.kind, "busy");
        let last = loop {
            let event = rx.recv_timeout(Duration::from_secs(120)).unwrap();
            if matches!(
                event,
                SearchEvent::Finished { .. } | SearchEvent::Failed { .. } | SearchEvent::Cancelled
            ) {
                break event;
            }
        };
        let SearchEvent::Finished { results, .. } = last else {
            panic!("{last:?}")
        };
        assert_eq!(results.len(), 2);
        jobs.cancel_and_wait(Duration::from_secs(10));
        assert!(!jobs.is_running() && !jobs.runs_in(&dir.path().join("trial-2")));
    }

    fn log(step: usize) -> TrainingEvent {
        TrainingEvent::Log {
            step,
            epoch: 0.0,
            loss: 1.0,
            learning_rate: 1e-5,
            grad_norm: None,
        }
    }
}
