//! `covermap plan`: split a build into shards and record what it was split from.
//!
//! Coverage is split by groups of sites: each site costs the area its transmitters sweep
//! (Σ radius²), and sites go, largest first, to the least loaded shard (the LPT rule, within 4/3 of
//! the best balance). Hydrology is split into as many DEM tiles as shards, as near to square as the
//! grid allows; tile `t` goes to shard `t mod N`. The plan keeps the input checksums, the parameters
//! and the program version: [`Plan::check_inputs`] refuses a shard or merge run against anything else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::build::{params_json, program_version};
use crate::dataset::{self, DatasetConfig};
use crate::error::{Error, Result};
use crate::grid::GeoTransform;
use crate::risk::tiled::TileLayout;

/// The plan format this program writes and reads.
pub const PLAN_FORMAT: u32 = 1;

/// One shard's share of the build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardWork {
    pub index: usize,
    /// Ids of the sites this shard sweeps.
    pub sites: Vec<i64>,
    /// Their cost: Σ radius² of their transmitters (km²).
    pub site_cost_km2: f64,
    /// Indices of the DEM tiles (of [`Plan::tiles`]) whose first fill phase this shard runs.
    pub tiles: Vec<usize>,
}

/// A build split into shards (`PLAN.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub covermap_version: String,
    pub dataset: String,
    /// The dataset directory, as the shards and the merge will see it.
    pub data: PathBuf,
    /// SHA-256 of every input file (paths relative to `data`).
    pub inputs: BTreeMap<String, String>,
    pub params: serde_json::Value,
    pub dem_width: usize,
    pub dem_height: usize,
    pub dem_transform: GeoTransform,
    /// Hydrology tiles of the DEM (the halo is one cell, read by each shard around its tiles).
    pub tiles: TileLayout,
    pub shards: Vec<ShardWork>,
}

impl Plan {
    pub fn read(path: &Path) -> Result<Plan> {
        let plan: Plan = super::read_json(path)?;
        if plan.format != PLAN_FORMAT {
            return Err(Error::input(path, format!("plan format {} is not this program's ({PLAN_FORMAT}); re-run covermap plan", plan.format)));
        }
        if plan.shards.iter().enumerate().any(|(i, s)| s.index != i) {
            return Err(Error::input(path, "shards are not numbered 0..N in order"));
        }
        Ok(plan)
    }

    /// The shard `index`, or an error naming the plan and its shard count.
    pub fn shard(&self, index: usize, path: &Path) -> Result<&ShardWork> {
        self.shards.get(index).ok_or_else(|| {
            Error::param("index", format!("shard {index} does not exist: {} has shards 0..{}", path.display(), self.shards.len().saturating_sub(1)))
        })
    }

    /// Refuse inputs, parameters or a program that differ from those planned.
    pub fn check_inputs(&self, plan_path: &Path) -> Result<DatasetConfig> {
        if self.covermap_version != program_version() {
            return Err(Error::input(
                plan_path,
                format!("planned by covermap {}, this is {}: every step must run the same binary", self.covermap_version, program_version()),
            ));
        }
        let cfg = DatasetConfig::read(&self.data)?;
        if params_json(&cfg) != self.params {
            return Err(Error::input(self.data.join("dataset.toml"), format!("parameters differ from those in the plan {}", plan_path.display())));
        }
        let files = cfg.input_files(&self.data);
        if let Some(missing) = files.iter().find(|f| !f.exists()) {
            return Err(Error::input(missing, "input file named in dataset.toml not found"));
        }
        let now = crate::store::manifest::checksums(&self.data, &files)?;
        for (file, sum) in &now {
            match self.inputs.get(file) {
                Some(s) if s == sum => {}
                Some(_) => return Err(Error::input(self.data.join(file), format!("checksum differs from the plan {}: the input changed since planning", plan_path.display()))),
                None => return Err(Error::input(self.data.join(file), format!("not an input of the plan {}", plan_path.display()))),
            }
        }
        if let Some(file) = self.inputs.keys().find(|f| !now.contains_key(*f)) {
            return Err(Error::input(self.data.join(file), format!("input of the plan {} is no longer named in dataset.toml", plan_path.display())));
        }
        Ok(cfg)
    }
}

/// Make the plan of `data` split `shards` ways.
pub fn plan(data: &Path, shards: usize) -> Result<Plan> {
    if shards == 0 {
        return Err(Error::param("shards", "must be at least 1"));
    }
    let cfg = DatasetConfig::read(data)?;
    let files = cfg.input_files(data);
    if let Some(missing) = files.iter().find(|f| !f.exists()) {
        return Err(Error::input(missing, "input file named in dataset.toml not found"));
    }
    let inputs = crate::store::manifest::checksums(data, &files)?;
    let ds = dataset::load::load_with(&cfg, data)?;
    let coverage: crate::coverage::CoverageParams = cfg.params("coverage")?;
    coverage.validate()?;
    let sites = crate::coverage::sites::prepare_sites(&ds, &coverage)?;

    // Largest first to the least loaded shard; ties by site id so the plan is deterministic.
    let mut cost: Vec<(f64, i64)> = sites.iter().map(|s| (s.txs.iter().map(|t| (t.radius_m / 1e3).powi(2)).sum::<f64>(), s.id)).collect();
    cost.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut work: Vec<ShardWork> = (0..shards).map(|index| ShardWork { index, sites: Vec::new(), site_cost_km2: 0.0, tiles: Vec::new() }).collect();
    for (c, id) in cost {
        let s = work.iter_mut().min_by(|a, b| a.site_cost_km2.total_cmp(&b.site_cost_km2).then(a.index.cmp(&b.index))).expect("shards ≥ 1");
        s.sites.push(id);
        s.site_cost_km2 += c;
    }
    for s in &mut work {
        s.sites.sort_unstable();
    }
    let tiles = TileLayout::for_count(ds.dem.width, ds.dem.height, shards)?;
    for t in 0..tiles.count() {
        work[t % shards].tiles.push(t);
    }
    let data = if data.is_absolute() { data.to_path_buf() } else { std::env::current_dir().map_err(|e| Error::io(".", e))?.join(data) };
    Ok(Plan {
        format: PLAN_FORMAT,
        covermap_version: program_version(),
        dataset: cfg.name.clone(),
        data,
        inputs,
        params: params_json(&cfg),
        dem_width: ds.dem.width,
        dem_height: ds.dem.height,
        dem_transform: ds.dem.transform,
        tiles,
        shards: work,
    })
}

/// Write `plan` to `out` (atomically).
pub fn write(plan: &Plan, out: &Path) -> Result<()> {
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    super::write_json(out, plan)
}
