//! One BERT Studio at a time. Opening a CSV file with the app while it already runs (the file
//! manager's "Open with", a double-click) hands the file to the running window instead of
//! starting a second one. The first instance listens on a local endpoint only its user can
//! reach: a Unix socket in the user's runtime folder, or on Windows a loopback port written
//! with a random key to the user's local app-data folder. The message is the files as a JSON
//! list of paths.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Files named on the command line that exist, as absolute paths (flags and anything else a
/// desktop environment might pass are left out).
pub fn files_from_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<PathBuf> {
    args.into_iter()
        .map(PathBuf::from)
        .filter(|p| !p.to_string_lossy().starts_with('-') && p.is_file())
        .filter_map(|p| std::path::absolute(&p).ok())
        .collect()
}

/// What starting up found.
pub enum Start {
    /// Another instance runs and has the files: this one ends here.
    HandedOver,
    /// This is the instance; `files` arrive on the endpoint (`None` when it could not be
    /// opened: the app then runs alone, as if nothing listened).
    First(Option<Endpoint>),
}

/// Hands `files` to a running instance, or becomes the instance that listens at `place`.
pub fn start(place: &Path, files: &[PathBuf]) -> Start {
    if endpoint::send(place, &message(files)).is_ok() {
        return Start::HandedOver;
    }
    Start::First(
        endpoint::listen(place)
            .ok()
            .map(|listener| Endpoint { listener }),
    )
}

/// Where the endpoint lives for this user: the runtime folder on Linux, the temporary
/// folder (per user on macOS and Windows) elsewhere.
pub fn default_place() -> PathBuf {
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    base.join(format!("org.bertstudio.app-{user}.endpoint"))
}

fn message(files: &[PathBuf]) -> String {
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    serde_json::to_string(&paths).expect("a list of strings serialises")
}

/// Files opened with the app that the page has not taken yet (`take_opened_files`): those
/// of the start itself and of later starts handed over.
#[derive(Default)]
pub struct OpenedFiles(std::sync::Mutex<Vec<String>>);

impl OpenedFiles {
    pub fn new(files: &[PathBuf]) -> Self {
        Self(std::sync::Mutex::new(
            files.iter().map(|p| p.display().to_string()).collect(),
        ))
    }

    pub fn add(&self, paths: Vec<String>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(paths);
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// How long a start waits for the running instance to take its files.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Sends one line and waits for the running instance's "ok".
fn exchange(mut stream: impl std::io::Read + Write, line: &str) -> std::io::Result<()> {
    stream.write_all(format!("{line}\n").as_bytes())?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    if answer.trim() == "ok" {
        Ok(())
    } else {
        Err(std::io::Error::other("the running instance did not answer"))
    }
}

/// The listening side.
pub struct Endpoint {
    listener: endpoint::Listener,
}

impl Endpoint {
    /// Calls `receive` with the files of each later start, on a thread of its own, for as
    /// long as the app runs.
    pub fn serve(self, receive: impl Fn(Vec<String>) + Send + 'static) {
        std::thread::spawn(move || {
            for stream in self.listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut line = String::new();
                if BufReader::new(&mut stream).read_line(&mut line).is_err() {
                    continue;
                }
                if let Some(paths) = endpoint::accept(&line) {
                    let _ = stream.write_all(b"ok\n");
                    receive(paths);
                }
            }
        });
    }
}

#[cfg(unix)]
mod endpoint {
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::Path;

    pub type Listener = UnixListener;

    pub fn send(place: &Path, message: &str) -> std::io::Result<()> {
        let stream = UnixStream::connect(place)?;
        stream.set_read_timeout(Some(super::ANSWER_WITHIN))?;
        super::exchange(stream, message)
    }

    pub fn listen(place: &Path) -> std::io::Result<Listener> {
        // Nobody answered: a socket file left by an instance that was killed.
        let _ = std::fs::remove_file(place);
        let listener = UnixListener::bind(place)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(place, std::fs::Permissions::from_mode(0o600))?;
        Ok(listener)
    }

    pub fn accept(line: &str) -> Option<Vec<String>> {
        serde_json::from_str(line.trim()).ok()
    }
}

#[cfg(windows)]
mod endpoint {
    use std::net::{TcpListener, TcpStream};
    use std::path::Path;

    pub type Listener = TcpListener;

    /// The endpoint file holds "port key"; a message is "key json".
    pub fn send(place: &Path, message: &str) -> std::io::Result<()> {
        let text = std::fs::read_to_string(place)?;
        let (port, key) = text
            .trim()
            .split_once(' ')
            .ok_or_else(|| std::io::Error::other("damaged endpoint file"))?;
        let port: u16 = port.parse().map_err(std::io::Error::other)?;
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(super::ANSWER_WITHIN))?;
        super::exchange(stream, &format!("{key} {message}"))
    }

    pub fn listen(place: &Path) -> std::io::Result<Listener> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let port = listener.local_addr()?.port();
        std::fs::write(place, format!("{port} {}", key()))?;
        Ok(listener)
    }

    pub fn accept(line: &str) -> Option<Vec<String>> {
        let (key, json) = line.trim().split_once(' ')?;
        (key == self::key()).then(|| serde_json::from_str(json).ok())?
    }

    /// This run's key, random per process (std's hasher keys are random).
    fn key() -> String {
        use std::hash::{BuildHasher, RandomState};
        static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        KEY.get_or_init(|| {
            let state = RandomState::new();
            format!("{:016x}{:016x}", state.hash_one(1u8), state.hash_one(2u8))
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_second_start_hands_its_files_to_the_first_and_a_stale_endpoint_is_replaced() {
        let folder = tempfile::tempdir().unwrap();
        let place = folder.path().join("endpoint");
        let csv = folder.path().join("texts.csv");
        std::fs::write(&csv, "text\nhello\n").unwrap();

        // A file left by an instance that was killed: nobody answers, so this one listens.
        std::fs::write(&place, "").unwrap();
        let Start::First(Some(endpoint)) = start(&place, &[]) else {
            panic!("the first start must listen")
        };
        let (sent, received) = mpsc::channel();
        endpoint.serve(move |paths| sent.send(paths).unwrap());

        let args = [
            "--flag".into(),
            csv.clone().into_os_string(),
            "missing.csv".into(),
        ];
        let files = files_from_args(args);
        assert_eq!(files, vec![csv.clone()]);
        assert!(matches!(start(&place, &files), Start::HandedOver));
        let paths = received
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap();
        assert_eq!(paths, vec![csv.display().to_string()]);
    }
}
