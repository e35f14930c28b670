//! What every subcommand shows on the terminal: progress bars, JSON lines, downloads, errors
//! with a next step worded for the command line, and Ctrl-C as a clean stop.

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

pub fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string(value).expect("serialisable"));
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
    })
}
