//! The risk stage of `covermap build`: DEM → terrain and hydrology → susceptibility classes → zones,
//! hamlet hazard, exposure and warning gaps, written into the sink (the store) as they are produced.
//!
//! Memory is the constraint at province scale (≈ 38 M cells): grids are computed in an order that
//! lets each one be written and dropped as soon as nothing else needs it — the filled DEM goes once
//! the flow directions exist, HAND once the flood classes and the hamlet values are taken, distance
//! grids one at a time inside the landslide model. At most about six 4-byte grids are alive at once.

use std::sync::Arc;
use std::time::Instant;

use super::accumulation::{flow_accumulation, outlet_total};
use super::classify::{class_shares, classify};
use super::exposure::{commune_layer, commune_raster, district_layer, totals, Counts, Exposure};
use super::fill::fill_depressions;
use super::flood::flood_index;
use super::flowdir::d8_flow_directions;
use super::hamlets::HamletRisk;
use super::hand::hand_and_drainage_area;
use super::landslide::landslide_index;
use super::params::RiskParams;
use crate::grid::rasterize::burn_lines;
use super::slope::slope_degrees;
use super::streams::{stream_mask, threshold_cells};
use super::warning::{site_classes, warning_gaps, Recompute, WarningSummary};
use super::zones::{add_zones, new_layer, Units, ZoneOptions};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::store::{RasterStyle, Sink, StageTiming};

/// Raster names in the store (`<name>.tif`).
pub const SLOPE_TIF: &str = "slope";
pub const ACCUMULATION_TIF: &str = "flow_accumulation";
pub const HAND_TIF: &str = "hand";
pub const LANDSLIDE_TIF: &str = "landslide_susceptibility";
pub const FLOOD_TIF: &str = "flood_susceptibility";

/// What the coverage stage gives the warning-reach analysis: the best 4G RSRP (dBm) of every hamlet
/// in dataset order, and a way to recompute it without some sites.
pub struct CoverageInput<'a> {
    pub hamlet_rsrp: &'a [f32],
    pub recompute: &'a Recompute<'a>,
    /// The coverage stage's "covered" RSRP threshold (dBm); `None` uses `[risk] covered_rsrp_dbm`.
    pub covered_rsrp_dbm: Option<f32>,
}

/// What the stage hands back (besides the store files).
#[derive(Debug, Clone)]
pub struct RiskOutput {
    pub hamlets: HamletRisk,
    /// Indices into `ds.hamlets` of the high-risk hamlets, most people first.
    pub high_risk_ranked: Vec<usize>,
    /// Share of classified cells in classes 1–5.
    pub landslide_shares: [f64; 5],
    pub flood_shares: [f64; 5],
    /// Province totals per hazard (landslide, flash flood) and class.
    pub exposure_totals: [[Counts; 5]; 2],
    pub zones: usize,
    pub warning: Option<WarningSummary>,
    pub timings: Vec<StageTiming>,
}

/// Reject DEMs the analysis cannot use: not in metres, or without any valid cell.
pub fn check_dem(dem: &Grid<f32>, crs: &str) -> Result<()> {
    let sr = crate::grid::io::spatial_ref(crs)?;
    if sr.is_geographic() || dem.transform.dx < 0.01 {
        return Err(Error::param(
            "dem",
            format!("the DEM is in degrees ({crs}, cell {} units): slope and flow need a metric CRS, warp it (e.g. to UTM) first", dem.transform.dx),
        ));
    }
    if dem.min_max().is_none() {
        return Err(Error::param("dem", "the DEM has no valid cell (all nodata)"));
    }
    super::d8::check_size(dem.width, dem.height)
}

struct Clock(Vec<StageTiming>, usize);

impl Clock {
    fn lap(&mut self, step: &str, t: Instant, detail: String) {
        let s = t.elapsed().as_secs_f64();
        eprintln!("    risk: {step:<26} {s:>7.2} s  {detail}");
        self.0.push(StageTiming { stage: format!("risk: {step}"), seconds: s, detail });
    }
    fn rate(&self, t: Instant) -> String {
        format!("{:.1} M cells, {:.1} M cells/s", self.1 as f64 / 1e6, self.1 as f64 / 1e6 / t.elapsed().as_secs_f64().max(1e-9))
    }
}

/// Resolved D8 directions and flow accumulation of a DEM, computed elsewhere (by tiles, from the
/// shards' partial fills: `covermap merge`); they must equal what this stage computes itself.
pub type Hydrology<'a> = &'a dyn Fn(&Grid<f32>) -> Result<(Grid<u8>, Grid<u32>)>;

/// Run the whole risk analysis on `ds` and write its rasters and layers into `sink`; the drainage
/// from `hydrology` when given.
pub fn run(
    ds: &Dataset,
    params: &RiskParams,
    coverage: Option<CoverageInput<'_>>,
    hydrology: Option<Hydrology<'_>>,
    sink: &mut dyn Sink,
) -> Result<RiskOutput> {
    params.validate()?;
    let dem = &ds.dem;
    check_dem(dem, &ds.crs)?;
    let crs = ds.crs.as_str();
    let mut clock = Clock(Vec::new(), dem.len());
    let mut hamlets = HamletRisk::new(ds);

    // The rasters are compressed by background threads while the next steps run (the fill is
    // sequential): the writes were ~9 s of the stage's 26.5 s on Sơn La, untimed by any step.
    let t = Instant::now();
    let slope = Arc::new(slope_degrees(dem));
    clock.lap("slope (Horn)", t, clock.rate(t));
    hamlets.set_slope(ds, &slope);
    sink.put_raster_shared(SLOPE_TIF, slope.clone(), RasterStyle::Slope)?;

    let (dirs, acc, t) = match hydrology {
        None => {
            let t = Instant::now();
            let filled = fill_depressions(dem)?;
            clock.lap("depression filling", t, clock.rate(t));
            let t = Instant::now();
            let dirs = d8_flow_directions(&filled)?;
            drop(filled);
            clock.lap("D8 + flats", t, clock.rate(t));
            let t = Instant::now();
            let acc = flow_accumulation(&dirs)?;
            (dirs, acc, t)
        }
        Some(h) => {
            let t = Instant::now();
            let (dirs, acc) = h(dem)?;
            (dirs, acc, t)
        }
    };
    let valid = dem.len() - dem.count_nodata();
    let conserved = outlet_total(&dirs, &acc);
    if conserved != valid as u64 {
        return Err(Error::Invariant(format!("flow accumulation lost cells: outlets hold {conserved} of {valid}")));
    }
    clock.lap(if hydrology.is_some() { "hydrology by tiles (merge)" } else { "flow accumulation" }, t, clock.rate(t));
    let acc = Arc::new(acc);
    sink.put_raster_shared(ACCUMULATION_TIF, acc.clone(), RasterStyle::FlowAccumulation)?;

    let t = Instant::now();
    let threshold = threshold_cells(&acc, params.stream_threshold_km2)?;
    let streams = stream_mask(&acc, threshold);
    let (hand, drain_area) = hand_and_drainage_area(dem, &dirs, &streams, &acc);
    drop(dirs);
    let n_streams = streams.iter().filter(|s| **s).count();
    clock.lap("streams + HAND", t, format!("{n_streams} stream cells (≥ {threshold} cells), {}", clock.rate(t)));
    hamlets.set_hand(ds, &hand);
    let hand = Arc::new(hand);
    sink.put_raster_shared(HAND_TIF, hand.clone(), RasterStyle::Hand)?;

    let t = Instant::now();
    let fidx = flood_index(&hand, &drain_area, &slope, params.rainfall_24h_mm);
    drop((hand, drain_area));
    let flood = Arc::new(classify(&fidx, &params.flood_breaks));
    drop(fidx);
    clock.lap("flash-flood model", t, clock.rate(t));
    sink.put_raster_shared(FLOOD_TIF, flood.clone(), RasterStyle::RiskClasses)?;

    let t = Instant::now();
    let roads = burn_lines(dem, ds.roads.iter().map(|r| &r.geom));
    let lidx = landslide_index(dem, &slope, &acc, &streams, &roads, params.rainfall_24h_mm);
    drop((roads, streams, acc, slope));
    let landslide = Arc::new(classify(&lidx, &params.landslide_breaks));
    drop(lidx);
    clock.lap("landslide model", t, clock.rate(t));
    sink.put_raster_shared(LANDSLIDE_TIF, landslide.clone(), RasterStyle::RiskClasses)?;

    hamlets.set_classes(ds, Some(&*landslide), Some(&*flood));
    let landslide_shares = class_shares(&landslide);
    let flood_shares = class_shares(&flood);
    let pct = |s: &[f64; 5]| s.iter().map(|v| format!("{:.1}%", v * 100.0)).collect::<Vec<_>>().join(" / ");
    eprintln!("    risk: landslide classes 1–5: {}", pct(&landslide_shares));
    eprintln!("    risk: flash-flood classes 1–5: {}", pct(&flood_shares));

    let t = Instant::now();
    let communes = commune_raster(ds, dem);
    let mut exposure = Exposure::new(ds);
    let ls_h: Vec<u8> = hamlets.rows.iter().map(|r| r.landslide_class).collect();
    let fl_h: Vec<u8> = hamlets.rows.iter().map(|r| r.flood_class).collect();
    exposure.add_hazard(ds, 0, &landslide, &communes, &ls_h);
    exposure.add_hazard(ds, 1, &flood, &communes, &fl_h);
    sink.layer(&commune_layer(ds, &exposure, params.high_class))?;
    sink.layer(&district_layer(ds, &exposure, params.high_class))?;
    let exposure_totals = totals(&exposure);
    for (hz, name) in ["landslide", "flash flood"].iter().enumerate() {
        let mut hi = Counts::default();
        for c in &exposure_totals[hz][params.high_class as usize - 1..] {
            hi.add(c);
        }
        eprintln!(
            "    risk: {name} class ≥ {}: {:.0} km², {} hamlets, {} people, {} cell sites, {} fiber access points, {:.0} km of road",
            params.high_class,
            hi.area_m2 / 1e6,
            hi.hamlets,
            hi.people,
            hi.sites,
            hi.fiber_aps,
            hi.road_m / 1e3
        );
    }
    clock.lap("exposure", t, format!("{} communes, {} districts", ds.communes.len(), ds.districts.len()));

    let t = Instant::now();
    let opt = ZoneOptions::of(params);
    let units = Units { grid: &communes, codes: ds.communes.iter().map(|c| c.code.as_str()).collect() };
    let mut zl = new_layer(crs);
    let n_ls = add_zones(&mut zl, "landslide", &landslide, Some(&units), &opt);
    let n_fl = add_zones(&mut zl, "flash_flood", &flood, Some(&units), &opt);
    drop(units);
    drop(communes);
    sink.layer(&zl)?;
    let zones = zl.features.len();
    drop(zl);
    clock.lap("zones", t, format!("{n_ls} landslide + {n_fl} flash-flood polygons"));

    let t = Instant::now();
    let high_risk_ranked = hamlets.ranked_high(ds, params.high_class);
    sink.layer(&hamlets.layer(ds, params.high_class))?;
    clock.lap("hamlet layer", t, format!("{} hamlets", ds.hamlets.len()));
    let unclassified = hamlets.unclassified();
    if unclassified > 0 {
        eprintln!("    risk: {unclassified} hamlet(s) stand on cells without a class (DEM edge or nodata); their classes are empty");
    }

    let warning = match coverage {
        None => None,
        Some(cov) => {
            let t = Instant::now();
            let sites = site_classes(ds, &landslide, &flood);
            let (layer, sum) =
                warning_gaps(ds, &hamlets, &sites, cov.hamlet_rsrp, cov.covered_rsrp_dbm.unwrap_or(params.covered_rsrp_dbm), params.high_class, cov.recompute)?;
            sink.layer(&layer)?;
            clock.lap(
                "warning reach",
                t,
                format!("{} hamlets without signal, {} at-risk sites, {} people cut off", sum.hamlets_no_signal, sum.sites_at_risk, sum.people_cut_off),
            );
            Some(sum)
        }
    };

    let bg = sink.flush()?;
    clock.lap(
        "raster writes (COG)",
        Instant::now() - std::time::Duration::from_secs_f64(bg.waited_seconds),
        format!("{} rasters, {:.1} s of encoding on background threads, overlapped with the steps above; waited {:.1} s", bg.rasters, bg.write_seconds, bg.waited_seconds),
    );

    Ok(RiskOutput {
        hamlets,
        high_risk_ranked,
        landslide_shares,
        flood_shares,
        exposure_totals,
        zones,
        warning,
        timings: clock.0,
    })
}
