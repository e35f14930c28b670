//! Writes that never leave a half-written result under the final name.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{EngineError, Result};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A hidden sibling path of `dest` that no other writer (thread or process) uses.
pub fn temp_sibling(dest: &Path, tag: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let unique = format!(
        ".{name}.{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    dest.with_file_name(unique)
}

/// The first of `candidate(1)`, `candidate(2)`, … that does not exist yet: a new name that
/// replaces nothing.
pub fn free_path(candidate: impl Fn(usize) -> PathBuf) -> PathBuf {
    (1..)
        .map(candidate)
        .find(|p| !p.exists())
        .expect("an unused name exists")
}

/// `<stem>_<tag>.csv` beside `source`, or `<stem>_<tag>-2.csv`… when taken: a file the app
/// writes from the user's file never replaces one unasked.
pub fn free_csv_beside(source: &Path, tag: &str) -> PathBuf {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    free_path(|n| match n {
        1 => source.with_file_name(format!("{stem}_{tag}.csv")),
        n => source.with_file_name(format!("{stem}_{tag}-{n}.csv")),
    })
}

/// As [`free_csv_beside`] when `source`'s folder can be written; in `elsewhere` (made when
/// missing) otherwise: a read-only share, or an installed app's own files.
pub fn free_csv_near(source: &Path, tag: &str, elsewhere: &Path) -> Result<PathBuf> {
    let folder = match source.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if tempfile::tempfile_in(folder).is_ok() {
        return Ok(free_csv_beside(source, tag));
    }
    free_csv_in(elsewhere, source, tag)
}

/// A free `<stem>_<tag>.csv` for `source` in `folder` (made when missing).
pub fn free_csv_in(folder: &Path, source: &Path, tag: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(folder).map_err(|e| EngineError::io("create", folder, e))?;
    let name = source
        .file_name()
        .unwrap_or(std::ffi::OsStr::new("data.csv"));
    Ok(free_csv_beside(&folder.join(name), tag))
}

/// The last component of a path given as text, for messages and lists ("data.csv").
pub fn file_name_of(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Builds a folder with `fill` in a temporary sibling of `dest`, then moves it into place.
/// If `fill` fails, the temporary folder is removed and any previous `dest` is untouched.
pub fn write_dir_atomically(dest: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    write_dir_carrying(dest, None, fill)
}

/// As `write_dir_atomically`, and the entry `carried` of the previous `dest` (a training run's
/// checkpoints) moves into the new folder only once `fill` has written everything else; if
/// the final move fails it goes back. Whatever fails, it is never lost.
pub fn write_dir_carrying(
    dest: &Path,
    carried: Option<&str>,
    fill: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let parent = parent_of(dest);
    // Parent folders made here are removed again on failure: a failed write leaves nothing.
    let first_made = parent
        .ancestors()
        .take_while(|p| !p.exists())
        .last()
        .map(Path::to_path_buf);
    let undo = |e: EngineError| {
        if let Some(first_made) = &first_made {
            for folder in parent.ancestors() {
                if std::fs::remove_dir(folder).is_err() || folder == first_made {
                    break;
                }
            }
        }
        Err(e)
    };
    if let Err(e) = std::fs::create_dir_all(&parent) {
        return undo(EngineError::io("create the folder", &parent, e));
    }
    let tmp = temp_sibling(dest, "partial");
    if let Err(e) = std::fs::create_dir(&tmp) {
        return undo(EngineError::io("create the folder", &tmp, e));
    }
    let carry = |from: &Path, to: &Path| match carried {
        Some(name) if from.join(name).exists() => std::fs::rename(from.join(name), to.join(name))
            .map_err(|e| EngineError::io("move", &to.join(name), e)),
        _ => Ok(()),
    };
    let written = fill(&tmp).and_then(|()| carry(dest, &tmp)).and_then(|()| {
        replace_path(&tmp, dest).inspect_err(|_| {
            // replace_path put the previous folder back under `dest`.
            let _ = carry(&tmp, dest);
        })
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return undo(e);
    }
    Ok(())
}

/// Writes a file through a temporary sibling and a rename: a failure leaves any previous
/// file at `dest` intact.
pub fn write_file_atomically(dest: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let parent = parent_of(dest);
    let mut tmp = tempfile::Builder::new()
        .prefix(".bert-studio-")
        .suffix(".partial")
        .tempfile_in(&parent)
        .map_err(|e| EngineError::io("create a file in", &parent, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| EngineError::io("write", dest, e))?;
    tmp.persist(dest)
        .map_err(|e| EngineError::io("write", dest, e.error))?;
    Ok(())
}

/// Moves `new` to `dest`. An existing `dest` is set aside first and put back if the move fails.
fn replace_path(new: &Path, dest: &Path) -> Result<()> {
    if !dest.exists() {
        return std::fs::rename(new, dest).map_err(|e| EngineError::io("move into place", dest, e));
    }
    let old = temp_sibling(dest, "previous");
    std::fs::rename(dest, &old).map_err(|e| EngineError::io("replace", dest, e))?;
    if let Err(e) = std::fs::rename(new, dest) {
        let _ = std::fs::rename(&old, dest);
        return Err(EngineError::io("move into place", dest, e));
    }
    let _ = if old.is_dir() {
        std::fs::remove_dir_all(&old)
    } else {
        std::fs::remove_file(&old)
    };
    Ok(())
}

/// Removes the hidden `.<name>.partial-<pid>-<n>` folders that writers killed mid-way left in
/// `dir`, when the process that wrote them is gone. Returns how many were removed.
pub fn remove_stale_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = partial_writer(&name) else {
            continue;
        };
        if process_alive(pid) {
            continue;
        }
        if std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id in a hidden temporary folder name `.<name>.partial-<pid>-<n>`.
pub(crate) fn partial_writer(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let tail = &name[name.rfind(".partial-")? + ".partial-".len()..];
    let (pid, counter) = tail.split_once('-')?;
    counter.parse::<u64>().ok()?;
    pid.parse().ok()
}

/// Whether a process with this id runs, on every OS (sysinfo asks the kernel's process list).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let pid = sysinfo::Pid::from_u32(pid);
    let mut system = sysinfo::System::new();
    system.refresh_processes(sysinfo::ProcessesToUpdate::Some(&[pid]), true);
    system.process(pid).is_some()
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_written_beside_the_users_never_replaces_one() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("nace.csv");
        let first = free_csv_beside(&source, "corrected");
        assert_eq!(first, dir.path().join("nace_corrected.csv"));
        std::fs::write(&first, "x").unwrap();
        assert_eq!(
            free_csv_beside(&source, "corrected"),
            dir.path().join("nace_corrected-2.csv")
        );
    }

    #[test]
    fn a_file_for_a_folder_that_cannot_be_written_goes_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("nace.csv");
        let elsewhere = dir.path().join("app").join("corrected");
        assert_eq!(
            free_csv_near(&source, "corrected", &elsewhere).unwrap(),
            dir.path().join("nace_corrected.csv")
        );
        // A folder nothing can be written in (here: one that is not there; a read-only share
        // fails the same way, except for root).
        let unreachable = dir.path().join("gone").join("nace.csv");
        let near = free_csv_near(&unreachable, "corrected", &elsewhere).unwrap();
        assert_eq!(near, elsewhere.join("nace_corrected.csv"));
        assert!(elsewhere.is_dir());
    }

    #[test]
    #[cfg(unix)]
    fn a_process_is_alive_until_it_ends() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        assert!(process_alive(pid));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!process_alive(pid));
        assert!(process_alive(std::process::id()));
    }

    #[test]
    fn a_failed_write_removes_the_parent_folders_it_made() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("run/checkpoints/epoch-1");
        let err = write_dir_atomically(&dest, |_| Err(EngineError::internal("disk full")));
        assert!(err.is_err());
        assert!(std::fs::read_dir(root.path()).unwrap().next().is_none());
        // Folders that were there before stay.
        std::fs::create_dir(root.path().join("run")).unwrap();
        let _ = write_dir_atomically(&dest, |_| Err(EngineError::internal("disk full")));
        assert!(root.path().join("run").is_dir());
        assert!(!root.path().join("run/checkpoints").exists());
    }

    #[test]
    fn failed_fill_keeps_the_previous_folder() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("model");
        write_dir_atomically(&dest, |d| {
            std::fs::write(d.join("a.txt"), "first").map_err(|e| EngineError::io("write", d, e))
        })
        .unwrap();
        let err = write_dir_atomically(&dest, |d| {
            std::fs::write(d.join("a.txt"), "second").unwrap();
            Err(EngineError::internal("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"));
        assert_eq!(
            std::fs::read_to_string(dest.join("a.txt")).unwrap(),
            "first"
        );
        // Nothing temporary is left beside it.
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("model")]);

        write_dir_atomically(&dest, |d| {
            std::fs::write(d.join("a.txt"), "third").map_err(|e| EngineError::io("write", d, e))
        })
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("a.txt")).unwrap(),
            "third"
        );
    }
}
