//! One writer at a time per results store, across processes: an exclusive `flock` on
//! `.<store>.lock` beside the store (not inside it: the store directory is swapped whole). Every
//! writer — `covermap build`, `covermap uav ingest`, the upload endpoint, and any future one — takes
//! it through [`lock_store`] (or implicitly through [`super::StoreWriter`]) *before* reading what it
//! will update, so its update is based on the store as it is once no one else is writing: no
//! writer's result is lost. The holder's PID is written into the file for the message a waiting
//! writer prints. The kernel releases the lock when the holder exits, even after `kill -9`.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What to do when another writer holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    /// Wait for it (printing once who holds it).
    Wait,
    /// Fail at once with "store … is being written by PID …".
    Fail,
}

/// An exclusive hold on a store; released on drop.
#[derive(Debug)]
pub struct StoreLock {
    file: File,
    path: PathBuf,
}

impl StoreLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // SAFETY: the descriptor is open for the life of `self.file`.
        unsafe {
            libc::flock(self.file.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

/// The lock file of the store at `store`: `.<name>.lock` in the same directory.
pub fn lock_path(store: &Path) -> PathBuf {
    let name = store.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "store".into());
    store.with_file_name(format!(".{name}.lock"))
}

/// Take the exclusive write lock of the store at `store` (which need not exist yet).
pub fn lock_store(store: &Path, wait: LockWait) -> Result<StoreLock> {
    let path = lock_path(store);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is an open descriptor owned by `file`.
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(Error::io(&path, err));
        }
        let holder = holder_pid(&mut file).map(|p| format!("PID {p}")).unwrap_or_else(|| "another process".into());
        let problem = format!("the store is being written by {holder} (lock {})", path.display());
        if wait == LockWait::Fail {
            return Err(Error::Busy { path: store.to_path_buf(), problem });
        }
        eprintln!("{}: {problem}; waiting for it to finish", store.display());
        loop {
            // SAFETY: as above.
            if unsafe { libc::flock(fd, libc::LOCK_EX) } == 0 {
                break;
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(Error::io(&path, err));
            }
        }
    }
    // Ours now: record who holds it.
    let _ = file.set_len(0).and_then(|_| file.rewind()).and_then(|_| writeln!(file, "{}", std::process::id())).and_then(|_| file.flush());
    Ok(StoreLock { file, path })
}

fn holder_pid(file: &mut File) -> Option<u32> {
    let mut s = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut s).ok()?;
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_fails_naming_the_holder_or_waits() {
        let (dir, store) = crate::scratch::scratch("out/sonla");
        let held = lock_store(&store, LockWait::Fail).unwrap();
        assert_eq!(held.path(), dir.path().join("out/.sonla.lock"));
        // flock locks belong to the open file: a second open in this process conflicts like another
        // process would.
        let e = lock_store(&store, LockWait::Fail).unwrap_err().to_string();
        assert!(e.contains(&format!("being written by PID {}", std::process::id())), "{e}");
        let t = std::thread::spawn(move || lock_store(&store, LockWait::Wait).map(|_| ()));
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!t.is_finished(), "the second writer must wait while the first holds the lock");
        drop(held);
        t.join().unwrap().unwrap();
    }
}
