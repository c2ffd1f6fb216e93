//! Object storage (S3 API) for datasets, shard results and stores, through GDAL's `/vsis3/` virtual
//! file system — the same library that reads and writes every raster and vector here, so no second
//! HTTP/S3 client. Endpoint, region and credentials come from the usual `AWS_*` environment variables
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, and for an S3-compatible server
//! `AWS_ENDPOINT_URL`, which is mapped onto GDAL's `AWS_S3_ENDPOINT`/`AWS_HTTPS`/`AWS_VIRTUAL_HOSTING`).
//!
//! The analyses work on local files (GDAL and SQLite need random access and in-place edits), so an
//! `s3://` location is *staged*: [`download`] copies a prefix into a local directory before a step,
//! [`upload`] copies a finished local directory up after it, with the marker file (`shard.json`,
//! `manifest.json`) last, so a reader never takes a half-uploaded result for a finished one.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// True for an `s3://bucket/key` location.
pub fn is_s3(location: &Path) -> bool {
    location.to_string_lossy().starts_with("s3://")
}

/// `s3://bucket/key` → `/vsis3/bucket/key` (no trailing slash).
pub fn vsi_path(location: &Path) -> Result<String> {
    let s = location.to_string_lossy();
    let rest = s.strip_prefix("s3://").ok_or_else(|| Error::input(location, "not an s3:// location"))?;
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.starts_with('/') {
        return Err(Error::input(location, "an s3:// location needs a bucket: s3://bucket/path"));
    }
    Ok(format!("/vsis3/{rest}"))
}

/// Point GDAL at the endpoint of `AWS_ENDPOINT_URL` (an S3-compatible server) when it is set.
pub fn configure() -> Result<()> {
    let Ok(url) = std::env::var("AWS_ENDPOINT_URL") else { return Ok(()) };
    let (https, host) = if let Some(h) = url.strip_prefix("http://") {
        (false, h)
    } else if let Some(h) = url.strip_prefix("https://") {
        (true, h)
    } else {
        return Err(Error::param("AWS_ENDPOINT_URL", format!("{url:?} must start with http:// or https://")));
    };
    let set = |k: &str, v: &str| gdal::config::set_config_option(k, v).map_err(|e| Error::Service(format!("GDAL option {k}: {e}")));
    set("AWS_S3_ENDPOINT", host.trim_end_matches('/'))?;
    set("AWS_HTTPS", if https { "YES" } else { "NO" })?;
    set("AWS_VIRTUAL_HOSTING", "FALSE")?;
    Ok(())
}

fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|e| Error::Codec(e.to_string()))
}

/// Copy one file between any two GDAL paths (local or virtual), streaming.
fn copy_file(from: &str, to: &str) -> Result<()> {
    let (f, t) = (cstr(from)?, cstr(to)?);
    let (rb, wb) = (cstr("rb")?, cstr("wb")?);
    // SAFETY: every path and mode pointer comes from a CString alive for the whole block; each VSI
    // handle is checked for null before use and closed exactly once; the buffer outlives every
    // read and write, which stay within its length.
    unsafe {
        let src = gdal_sys::VSIFOpenL(f.as_ptr(), rb.as_ptr());
        if src.is_null() {
            return Err(Error::input(from, "cannot open for reading (missing object, or AWS_* credentials/endpoint wrong)"));
        }
        let dst = gdal_sys::VSIFOpenL(t.as_ptr(), wb.as_ptr());
        if dst.is_null() {
            gdal_sys::VSIFCloseL(src);
            return Err(Error::input(to, "cannot open for writing (bucket missing, or AWS_* credentials/endpoint wrong)"));
        }
        let mut buf = vec![0u8; 1 << 20];
        let mut ok = true;
        loop {
            let n = gdal_sys::VSIFReadL(buf.as_mut_ptr().cast(), 1, buf.len(), src);
            if n == 0 {
                break;
            }
            if gdal_sys::VSIFWriteL(buf.as_ptr().cast(), 1, n, dst) != n {
                ok = false;
                break;
            }
        }
        gdal_sys::VSIFCloseL(src);
        // Closing a /vsis3/ file is what sends it (the upload completes here).
        if gdal_sys::VSIFCloseL(dst) != 0 || !ok {
            return Err(Error::input(to, "write failed"));
        }
    }
    Ok(())
}

fn is_file(vsi: &str) -> bool {
    let Ok(p) = cstr(vsi) else { return false };
    // SAFETY: `p` is a CString alive for the call; `st` is a zeroed stat64 owned here, the struct
    // VSIStatExL fills (VSIStatBufL is stat64 on Linux), passed by a pointer valid for the call.
    unsafe {
        // VSIStatBufL is the C library's struct stat64 (opaque in the bindings).
        let mut st: libc::stat64 = std::mem::zeroed();
        gdal_sys::VSIStatExL(p.as_ptr(), (&mut st as *mut libc::stat64).cast(), 0) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFREG
    }
}

/// Copy every object under `location` (s3://…) into `local`, keeping their relative paths.
/// Returns the number of files. An empty or missing prefix is an error.
pub fn download(location: &Path, local: &Path) -> Result<usize> {
    configure()?;
    let base = vsi_path(location)?;
    let names = gdal::vsi::read_dir(&base, true).map_err(|e| Error::input(location, format!("cannot list: {e}")))?;
    let mut n = 0;
    for rel in names {
        let from = format!("{base}/{}", rel.display());
        if !is_file(&from) {
            continue;
        }
        let to = local.join(&rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
        }
        copy_file(&from, &to.to_string_lossy())?;
        n += 1;
    }
    if n == 0 {
        return Err(Error::input(location, "no objects under this location (wrong bucket or path, or AWS_* credentials/endpoint wrong)"));
    }
    Ok(n)
}

/// Copy every file under `local` to `location` (s3://…). Files named `last` (a completion marker)
/// go after all others.
pub fn upload(local: &Path, location: &Path, last: &str) -> Result<usize> {
    configure()?;
    let base = vsi_path(location)?;
    let mut files = Vec::new();
    walk(local, local, &mut files)?;
    files.sort_by_key(|rel| (rel.file_name().is_some_and(|n| n == last), rel.clone()));
    for rel in &files {
        copy_file(&local.join(rel).to_string_lossy(), &format!("{base}/{}", rel.display()))?;
    }
    Ok(files.len())
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let p = e.path();
        if e.file_type().map_err(|e| Error::io(&p, e))?.is_dir() {
            walk(base, &p, out)?;
        } else {
            out.push(p.strip_prefix(base).expect("under base").to_path_buf());
        }
    }
    Ok(())
}

/// A local stand-in for a location: the path itself when local, else a fresh directory under the
/// system temporary directory (removed when dropped).
pub struct Staged {
    pub local: PathBuf,
    temp: Option<PathBuf>,
}

impl Staged {
    /// A local copy of `location` (downloaded when it is s3://).
    pub fn input(location: &Path) -> Result<Staged> {
        if !is_s3(location) {
            return Ok(Staged { local: location.to_path_buf(), temp: None });
        }
        let s = Self::scratch(location)?;
        download(location, &s.local)?;
        Ok(s)
    }

    /// A local copy of the single object at `location` (a PMTiles/MBTiles archive) when s3://.
    pub fn input_file(location: &Path) -> Result<Staged> {
        if !is_s3(location) {
            return Ok(Staged { local: location.to_path_buf(), temp: None });
        }
        configure()?;
        let mut s = Self::scratch(location)?;
        let name = location.file_name().ok_or_else(|| Error::input(location, "an archive location must name a file"))?;
        s.local = s.local.with_file_name(name);
        copy_file(&vsi_path(location)?, &s.local.to_string_lossy())?;
        Ok(s)
    }

    /// Where to write what will be at `location` (upload it with [`upload`] when done).
    pub fn output(location: &Path) -> Result<Staged> {
        if !is_s3(location) {
            return Ok(Staged { local: location.to_path_buf(), temp: None });
        }
        let s = Self::scratch(location)?;
        Ok(s)
    }

    fn scratch(location: &Path) -> Result<Staged> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = location;
        let dir = std::env::temp_dir().join(format!("covermap-s3-{}-{k}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        // The store writer stages beside its target; keep the target one level down.
        let local = dir.join("x");
        Ok(Staged { local, temp: Some(dir) })
    }

    pub fn is_remote(&self) -> bool {
        self.temp.is_some()
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(t) = &self.temp {
            let _ = std::fs::remove_dir_all(t);
        }
    }
}
