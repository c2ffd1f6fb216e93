//! A build split into shards that an existing scheduler runs (a Kubernetes Indexed Job: each pod
//! gets `JOB_COMPLETION_INDEX`), then merged exactly into the store one `covermap build` makes.
//!
//! - [`plan`] (`covermap plan`): the work of each shard — coverage by groups of sites balanced by
//!   each site's reach (Σ radius² of its transmitters, the area it sweeps), hydrology by DEM tiles
//!   — with the input checksums, parameters and program version, so a shard run against other
//!   inputs refuses.
//! - [`run`] (`covermap run-shard`): one shard's partial results under `PREFIX/shard-I/`: per operator
//!   and "any" best-server grids of its sites, per operator and carrier each cell's N strongest
//!   sectors of its sites (a compressed format, [`topn`]), and the first phase of the tiled
//!   depression filling for its tiles (read with a one-cell halo). Written aside and swapped in, so
//!   a re-run of an index replaces the old result atomically.
//! - [`merge`] (`covermap merge`): the build, taking the coverage grids as the max/argmax over the
//!   shards, the network quality from the fold of their top-N lists, and the drainage from the tiled
//!   fill merge (Barnes 2016), flats and accumulation ([`crate::risk::tiled`]); everything after
//!   (HAND, zones, exposure, indicators, gaps, planner, UAV) runs on the merged layers, as in
//!   `covermap build`.

pub mod merge;
pub mod plan;
pub mod run;
pub mod topn;

pub use merge::merge;
pub use plan::{plan, Plan, ShardWork};
pub use run::run;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The directory of shard `index`'s results under `prefix`.
pub fn shard_dir(prefix: &Path, index: usize) -> PathBuf {
    prefix.join(format!("shard-{index}"))
}

/// The file recording a finished shard (written last).
pub const SHARD_JSON: &str = "shard.json";

/// Peak resident memory of this process so far (kB, Linux `VmHWM`).
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn json_err(path: &Path, e: serde_json::Error) -> Error {
    Error::input(path, format!("not valid JSON for this file: {e}"))
}

/// Read a JSON file into `T`, naming the file in errors.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| json_err(path, e))
}

/// Write a JSON file atomically (aside, then renamed over).
pub(crate) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Codec(e.to_string()))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
