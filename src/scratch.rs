//! Scratch space for unit tests: a fresh temporary directory (removed when the returned guard is
//! dropped, so keep it bound for the test's length) and the path of one file or folder in it.

use std::path::PathBuf;

/// A new temporary directory and `dir/name` (not created).
pub(crate) fn scratch(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory for the test");
    let path = dir.path().join(name);
    (dir, path)
}
