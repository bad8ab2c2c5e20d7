//! The data directory's lock: one server per data directory. `serve` holds an exclusive lock on
//! `<data_dir>/forcereset.lock` (with its PID written inside) for as long as it runs, so a second server on the same
//! directory (say, another `[server] offset`) fails at once naming the first; CLI commands that a running server
//! must see (ending sessions) check it too.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The lock file inside the data directory.
pub const LOCK_FILE: &str = "forcereset.lock";

/// The data directory, held. Released when dropped (and by the OS if the process dies).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

fn open(dir: &Path) -> anyhow::Result<(File, PathBuf)> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    Ok((file, path))
}

/// The PID the holder wrote, if it did.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

impl DataDirLock {
    /// Take the data directory for this process (creating it), or say which process has it.
    pub fn acquire(dir: &Path) -> anyhow::Result<DataDirLock> {
        let (mut file, path) = open(dir)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let who =
                    holder_pid(&mut file).map_or_else(|| "another process".to_string(), |pid| format!("PID {pid}"));
                bail!(
                    "data directory {} is in use by a running forcereset ({who}); stop it, or give this one another \
                     --data-dir",
                    dir.display()
                );
            }
            Err(TryLockError::Error(e)) => return Err(e).with_context(|| format!("cannot lock {}", path.display())),
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(DataDirLock { _file: file })
    }

    /// The PID of the server running on `dir`, if one is (its lock is held); None if none is, or the directory does
    /// not exist yet. Takes nothing.
    pub fn running_server(dir: &Path) -> Option<u32> {
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new().read(true).write(true).open(path).ok()?;
        match file.try_lock() {
            Ok(()) => None,
            Err(TryLockError::WouldBlock) => Some(holder_pid(&mut file).unwrap_or(0)),
            Err(TryLockError::Error(_)) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_second_learns_the_pid() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        assert_eq!(DataDirLock::running_server(&data), None, "no directory yet");
        let held = DataDirLock::acquire(&data).unwrap();
        assert!(data.join(LOCK_FILE).exists());
        let err = DataDirLock::acquire(&data).unwrap_err().to_string();
        assert!(err.contains(&format!("PID {}", std::process::id())), "{err}");
        assert_eq!(DataDirLock::running_server(&data), Some(std::process::id()));
        drop(held);
        assert_eq!(DataDirLock::running_server(&data), None);
        let again = DataDirLock::acquire(&data).unwrap();
        drop(again);
    }
}
