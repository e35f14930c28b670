//! What every subcommand shows on the terminal: progress bars, JSON lines, downloads, errors
//! with a next step worded for the command line, and Ctrl-C as a clean stop.

use std::io::Write;

use bert_studio_engine::EngineError;
use bert_studio_engine::cancel::CancelToken;
use bert_studio_engine::source::DownloadEvent;
use indicatif::HumanBytes;

pub fn progress_bar(length: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(length);
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("valid template"));
    bar
}

/// A token that Ctrl-C (and SIGTERM) cancels, so a job stops cleanly (nothing half-written)
/// instead of the process being killed.
pub fn cancel_on_interrupt() -> CancelToken {
    let cancel = CancelToken::new();
    let handle = cancel.clone();
    let _ = ctrlc::set_handler(move || handle.cancel());
    cancel
}

/// Where `--json` lines go once `keep_stdout_for_events` has moved everything else off stdout.
static EVENTS: std::sync::OnceLock<std::sync::Mutex<std::fs::File>> = std::sync::OnceLock::new();

pub fn print_json(value: &impl serde::Serialize) {
    let line = serde_json::to_string(value).expect("serialisable");
    match EVENTS.get() {
        Some(events) => {
            let mut events = events.lock().unwrap_or_else(|e| e.into_inner());
            let _ = writeln!(events, "{line}");
        }
        None => println!("{line}"),
    }
}

/// burn-collective prints its connection attempts on stdout (`println!`): in a run over
/// several machines the events keep stdout to themselves, and whatever else is printed there
/// goes to stderr.
pub fn keep_stdout_for_events() {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        let _ = std::io::Write::flush(&mut std::io::stdout());
        // SAFETY: plain descriptor calls; the duplicate of stdout is owned by the File alone.
        unsafe {
            let saved = libc::dup(1);
            if saved >= 0 && libc::dup2(2, 1) >= 0 {
                let _ = EVENTS.set(std::sync::Mutex::new(std::fs::File::from_raw_fd(saved)));
            }
        }
    }
}

pub fn print_download(event: DownloadEvent) {
    match event {
        DownloadEvent::Started { file, bytes_total } => {
            eprintln!("Downloading {file} ({})", HumanBytes(bytes_total))
        }
        DownloadEvent::Progress {
            file,
            bytes_done,
            bytes_total,
        } => eprintln!(
            "  {file}: {} of {}",
            HumanBytes(bytes_done),
            HumanBytes(bytes_total)
        ),
        DownloadEvent::Finished { .. } => {}
    }
}

/// The error, then what to do next in this front end's words (the engine's own hints speak of
/// the app's steps and fields).
pub fn print_error(err: &EngineError) {
    eprintln!("Error: {err}");
    if let Some(hint) = hint(err) {
        eprintln!("{hint}");
    }
}

fn hint(err: &EngineError) -> Option<&'static str> {
    Some(match err {
        EngineError::Load { .. } => {
            "Give --model another model folder, or a Hub id to download the model again."
        }
        EngineError::ModelNotFound { .. } => {
            "Check the spelling of the --model name (a Hub id such as \
             bert-base-multilingual-uncased, or a folder on this computer)."
        }
        EngineError::Download { .. } => {
            "Check the internet connection and run the command again; a model that is already \
             downloaded works offline (HF_HUB_OFFLINE=1)."
        }
        EngineError::Io { .. } => {
            "Check that the file exists, is not open in another program, and that the folder \
             is writable and has free space."
        }
        EngineError::Tokenizer { .. } => {
            "The model folder needs tokenizer.json or vocab.txt: export or download it again."
        }
        EngineError::Data { .. } => {
            "Fix the file (or choose other columns with --text-column / --label-column); \
             `bert-studio preview FILE` shows how it is read."
        }
        EngineError::Cancelled => return None,
        EngineError::OutOfMemory { .. } => {
            "Lower --train-batch-size (raise --gradient-accumulation-steps to keep the same \
             effective batch) or --max-seq-len, or add --device cpu."
        }
        EngineError::Device { .. } => "Update the graphics driver, or add --device cpu.",
        EngineError::InvalidInput { .. } => {
            "Correct the value and run the command again (--help lists every flag)."
        }
        EngineError::Cluster { .. } => {
            "Check that every node runs and reaches the others (the coordinator's port and the \
             ports after it), then run `bert-studio train --resume OUTPUT` with the same \
             --nodes, --node-rank and --coordinator on every node."
        }
    })
}
