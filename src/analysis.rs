//! The analyses `covermap build` runs, and the one contract they implement (issue 14 item 3).
//!
//! An analysis is a type implementing [`Stage`]: the `dataset.toml` section holding its parameters
//! (also their key in `manifest.json`'s `params` and the name of its stage timing), its parameter
//! type, the checks that can run before any long stage, and its run from the [`Dataset`] into a
//! [`Sink`]. [`registry`] lists them in the order they run; the build iterates it and knows none of
//! them by name. An analysis that needs an earlier one's results reads them from the [`Board`] the
//! earlier one filled (the risk stage's warning reach takes the coverage at the hamlets), so the
//! dependency is a type, not code in the build. Adding an analysis is one module implementing
//! [`Stage`] and one line in [`registry`].

use std::any::Any;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::dataset::{Dataset, DatasetConfig};
use crate::error::Result;
use crate::store::{Sink, StageTiming};

/// Every analysis, in the order the build runs them (coverage before risk: the risk stage reads the
/// coverage at the hamlets from the board).
pub fn registry() -> Vec<Box<dyn Analysis>> {
    vec![Box::new(crate::coverage::analysis::Coverage), Box::new(crate::risk::analysis::Risk), Box::new(crate::uav::analysis::Uav)]
}

/// The `dataset.toml` sections of the registered analyses (any other top-level table is a typo).
pub fn sections() -> Vec<&'static str> {
    registry().iter().map(|a| a.section()).collect()
}

/// What the checks before the long stages may look at.
pub struct CheckContext<'a> {
    pub cfg: &'a DatasetConfig,
    /// The dataset directory (paths in `cfg` are relative to it).
    pub data: &'a Path,
    /// The store being built.
    pub out: &'a Path,
}

/// Results computed elsewhere that a build takes instead of computing them (`covermap merge`: the
/// shards' coverage sweeps and the tiled hydrology). Each must equal what the build would compute.
#[derive(Default)]
pub struct Precomputed<'a> {
    pub sweep: Option<&'a mut dyn crate::coverage::SweepSource>,
    pub hydrology: Option<crate::risk::Hydrology<'a>>,
}

/// What a run may use beside the dataset and the sink.
pub struct RunContext<'a, 'p> {
    /// The store being replaced (results added to it since, e.g. `uav ingest`, are carried over).
    pub out: &'a Path,
    pub board: &'a mut Board,
    pub pre: &'a mut Precomputed<'p>,
}

/// What a run reports: the one-line detail of its stage timing and any finer timings of its own.
#[derive(Default)]
pub struct StageReport {
    pub detail: String,
    pub timings: Vec<StageTiming>,
}

/// Results an analysis leaves for the later ones, one value per type.
#[derive(Default)]
pub struct Board(Vec<Box<dyn Any + Send + Sync>>);

impl Board {
    /// Leave `value` (replacing an earlier value of its type).
    pub fn put<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.retain(|v| !v.is::<T>());
        self.0.push(Box::new(value));
    }
    /// The value of type `T` an earlier analysis left, if any.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.iter().find_map(|v| v.downcast_ref::<T>())
    }
}

/// One analysis, with its parameters typed.
pub trait Stage: Clone + Send + Sync + 'static {
    /// Parsed from the section (missing keys take their defaults; unknown keys are an error).
    type Params: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The `dataset.toml` section and manifest key (`coverage`).
    const SECTION: &'static str;
    /// Range checks and whatever else can fail before the long stages run (a typo in `[risk]` or a
    /// bad flight image fails in seconds, not after the coverage sweep).
    fn check(&self, params: &Self::Params, cx: &CheckContext<'_>) -> Result<()>;
    /// Add to the freshly loaded dataset what was added to the previous store since it was built
    /// (drive tests by `measurements add`, flights by `uav ingest`), before any analysis runs.
    fn carry_over(&self, _ds: &mut Dataset, _out: &Path) -> Result<()> {
        Ok(())
    }
    /// Compute and write the results.
    fn run(&self, ds: &Dataset, params: &Self::Params, sink: &mut dyn Sink, cx: &mut RunContext<'_, '_>) -> Result<StageReport>;
}

/// An analysis whose parameters are not yet read (what [`registry`] holds).
pub trait Analysis: Send + Sync {
    fn section(&self) -> &'static str;
    /// The analysis with its parameters from `cfg`'s section (parsed, not yet range-checked).
    fn configure(&self, cfg: &DatasetConfig) -> Result<Box<dyn Configured>>;
    /// The analysis with its parameters given as JSON (absent keys take their defaults).
    fn configure_json(&self, params: serde_json::Value) -> Result<Box<dyn Configured>>;
}

/// An analysis with its parameters.
pub trait Configured: Send + Sync {
    fn section(&self) -> &'static str;
    /// The effective parameters, every key, defaults included (as `manifest.json` records them).
    fn params_value(&self) -> serde_json::Value;
    fn check(&self, cx: &CheckContext<'_>) -> Result<()>;
    fn carry_over(&self, ds: &mut Dataset, out: &Path) -> Result<()>;
    fn run(&self, ds: &Dataset, sink: &mut dyn Sink, cx: &mut RunContext<'_, '_>) -> Result<StageReport>;
}

struct WithParams<S: Stage> {
    stage: S,
    params: S::Params,
}

impl<S: Stage> Analysis for S {
    fn section(&self) -> &'static str {
        S::SECTION
    }
    fn configure(&self, cfg: &DatasetConfig) -> Result<Box<dyn Configured>> {
        Ok(Box::new(WithParams { stage: self.clone(), params: cfg.params::<S::Params>(S::SECTION)? }))
    }
    fn configure_json(&self, params: serde_json::Value) -> Result<Box<dyn Configured>> {
        let params = serde_json::from_value(params).map_err(|e| crate::error::Error::param(format!("[{}]", S::SECTION), e.to_string()))?;
        Ok(Box::new(WithParams { stage: self.clone(), params }))
    }
}

impl<S: Stage> Configured for WithParams<S> {
    fn section(&self) -> &'static str {
        S::SECTION
    }
    fn params_value(&self) -> serde_json::Value {
        // Parameter types are plain data (numbers, strings, tables): serializing cannot fail.
        serde_json::to_value(&self.params).unwrap_or(serde_json::Value::Null)
    }
    fn check(&self, cx: &CheckContext<'_>) -> Result<()> {
        self.stage.check(&self.params, cx)
    }
    fn carry_over(&self, ds: &mut Dataset, out: &Path) -> Result<()> {
        self.stage.carry_over(ds, out)
    }
    fn run(&self, ds: &Dataset, sink: &mut dyn Sink, cx: &mut RunContext<'_, '_>) -> Result<StageReport> {
        self.stage.run(ds, &self.params, sink, cx)
    }
}

/// Every registered analysis with its parameters from `cfg`, parsed (an invalid section is an error
/// naming it), not range-checked.
pub fn configure(cfg: &DatasetConfig) -> Result<Vec<Box<dyn Configured>>> {
    registry().iter().map(|a| a.configure(cfg)).collect()
}

/// [`configure`], each analysis checked as soon as it is parsed (so the first bad section, in
/// registry order, is the one reported).
pub fn configure_checked(cx: &CheckContext<'_>) -> Result<Vec<Box<dyn Configured>>> {
    registry()
        .iter()
        .map(|a| {
            let c = a.configure(cx.cfg)?;
            c.check(cx)?;
            Ok(c)
        })
        .collect()
}

/// The effective parameters as `manifest.json` records them: the working CRS and every analysis's
/// section, every key, defaults included — so the store says exactly which thresholds its counts,
/// colour maps and legends used.
pub fn params_value(crs: &str, analyses: &[Box<dyn Configured>]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    m.insert("crs".into(), crs.into());
    for a in analyses {
        m.insert(a.section().into(), a.params_value());
    }
    serde_json::Value::Object(m)
}

/// [`params_value`] with the sections `given` as JSON and every other analysis at its defaults
/// (tests and tools that write a store without a `dataset.toml`).
pub fn params_value_with(crs: &str, given: &[(&str, serde_json::Value)]) -> Result<serde_json::Value> {
    let analyses = registry()
        .iter()
        .map(|a| {
            let v = given.iter().find(|(s, _)| *s == a.section()).map_or_else(|| serde_json::json!({}), |(_, v)| v.clone());
            a.configure_json(v)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(params_value(crs, &analyses))
}

/// For a parameters section's tests: its defaults pass `validate` and are what an empty table
/// deserializes to (so a `dataset.toml` without the section runs with the documented defaults).
#[cfg(test)]
pub(crate) fn assert_defaults_valid_and_empty_table_default<P>(validate: impl Fn(&P) -> Result<()>)
where
    P: DeserializeOwned + Default + PartialEq + std::fmt::Debug,
{
    validate(&P::default()).unwrap();
    let p: P = toml::from_str("").unwrap();
    assert_eq!(p, P::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_keeps_one_value_per_type() {
        let mut b = Board::default();
        assert!(b.get::<u32>().is_none());
        b.put(3u32);
        b.put(String::from("x"));
        b.put(4u32);
        assert_eq!(b.get::<u32>(), Some(&4));
        assert_eq!(b.get::<String>().map(String::as_str), Some("x"));
    }

    #[test]
    fn sections_are_unique_and_in_run_order() {
        assert_eq!(sections(), ["coverage", "risk", "uav"]);
    }

    #[test]
    fn params_with_defaults_name_every_section() {
        let v = params_value_with("EPSG:32648", &[("coverage", serde_json::json!({"covered_dbm": -105.0}))]).unwrap();
        assert_eq!(v["crs"], "EPSG:32648");
        assert_eq!(v["coverage"]["covered_dbm"], -105.0);
        assert_eq!(v["coverage"]["good_dbm"], -100.0, "defaults filled in");
        assert_eq!(v["risk"]["high_class"], 4);
        assert!(v["uav"].is_object());
        let e = params_value_with("EPSG:32648", &[("risk", serde_json::json!({"high_clas": 4}))]).unwrap_err().to_string();
        assert!(e.contains("[risk]") && e.contains("high_clas"), "{e}");
    }
}
