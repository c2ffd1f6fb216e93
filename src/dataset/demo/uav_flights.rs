//! Two synthetic multispectral UAV flights over the densest cluster of demo orchards, four weeks
//! apart (2026-03-10 and 2026-04-07, the mango flowering / fruit-set season), as a DJI P4 Multispectral
//! reflectance orthomosaic would deliver them: 5 bands (Blue, Green, Red, RedEdge, NIR), UInt16
//! reflectance × 32768 (GDAL band scale 1/32768 recorded), 0 = nodata outside the flown footprint,
//! 0.5 m ground sample distance, a ~1 km × 0.9 km footprint rotated along the flight lines.
//!
//! The scene: tree crowns on a planting grid along each parcel's long side (mango ~7 × 6 m, longan
//! ~8 × 7 m), dry-season bare soil between rows with crown shadows, and forest / scrub / fields outside
//! the parcels. Reflectances per band follow typical UAV surveys (healthy canopy NIR ≈ 0.46, red ≈ 0.04;
//! dry ferralsol red ≈ 0.19, NIR ≈ 0.27), with topographic illumination from the DEM, per-flight
//! irradiance differences and sensor noise.
//!
//! Stress: a deterministic choice of parcels, [`plan_flights`]`(seed, orchards).stressed`, made among
//! the parcels inside both footprints (sorted by id, shuffled by the seed, 30 % taken): stress starts
//! at one corner of each (a few trees at flight 1) and spreads over most of the parcel by flight 2
//! (chlorotic, wilting crowns: red up, NIR down). The same list is written to `uav_truth.json`.
//! Every value comes from hashes of (seed, position), never from thread order, so the same seed gives
//! byte-identical files.

use std::path::Path;

use geo::{Area, Contains, Coord, Point, Polygon};
use rayon::prelude::*;

use super::noise::fbm;
use super::orchards::densest_cluster;
use super::rng::{hash2, mix, Rng};
use crate::dataset::{Crop, Orchard, UavFlightSource};
use crate::error::{Error, Result};
use crate::grid::{GeoTransform, Grid};

pub const FLIGHT_DATES: [&str; 2] = ["2026-03-10", "2026-04-07"];
pub const GSD_M: f64 = 0.5;
/// Stored value of reflectance 1.0 (MicaSense's 16-bit convention; recorded as the band scale).
pub const DN_PER_REFLECTANCE: f64 = 32768.0;
/// Share of the candidate parcels made stressed.
pub const STRESSED_SHARE: f64 = 0.3;

/// A flown footprint: a rectangle rotated by `angle` (radians, counter-clockwise from east).
#[derive(Debug, Clone, Copy)]
pub struct Footprint {
    pub centre: (f64, f64),
    pub half_len: f64,
    pub half_wid: f64,
    pub angle: f64,
}

impl Footprint {
    fn local(&self, x: f64, y: f64) -> (f64, f64) {
        let (dx, dy) = (x - self.centre.0, y - self.centre.1);
        let (c, s) = (self.angle.cos(), self.angle.sin());
        (dx * c + dy * s, -dx * s + dy * c)
    }

    pub fn contains(&self, x: f64, y: f64, margin: f64) -> bool {
        let (u, v) = self.local(x, y);
        u.abs() <= self.half_len - margin && v.abs() <= self.half_wid - margin
    }

    pub fn polygon(&self) -> Polygon<f64> {
        let (c, s) = (self.angle.cos(), self.angle.sin());
        let pts: Vec<Coord<f64>> = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0)]
            .iter()
            .map(|(a, b)| {
                let (u, v) = (a * self.half_len, b * self.half_wid);
                Coord { x: self.centre.0 + u * c - v * s, y: self.centre.1 + u * s + v * c }
            })
            .collect();
        Polygon::new(pts.into(), vec![])
    }

    /// The north-up raster grid (GSD-aligned) enclosing the footprint.
    fn grid(&self) -> (GeoTransform, usize, usize) {
        let ring = self.polygon();
        let (mut a, mut b, mut c, mut d) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in ring.exterior().0.iter() {
            a = a.min(p.x);
            b = b.min(p.y);
            c = c.max(p.x);
            d = d.max(p.y);
        }
        let x0 = (a / GSD_M).floor() * GSD_M;
        let y0 = (d / GSD_M).ceil() * GSD_M;
        let w = ((c - x0) / GSD_M).ceil() as usize;
        let h = ((y0 - b) / GSD_M).ceil() as usize;
        (GeoTransform { x0, y0, dx: GSD_M, dy: GSD_M }, w, h)
    }
}

#[derive(Debug, Clone)]
pub struct PlannedFlight {
    pub id: String,
    pub date: String,
    pub footprint: Footprint,
    /// Irradiance factor of the day (reflectance calibration is never perfect).
    gain: f64,
    /// How far stress has spread from its corner, as a share of the parcel's extent (varied ±20 %
    /// per parcel).
    spread: f64,
    /// Crown growth since the first flight (relative radius): new flush in the weeks between flights.
    growth: f64,
}

#[derive(Debug, Clone)]
pub struct FlightPlan {
    pub flights: Vec<PlannedFlight>,
    /// Orchard ids stressed in the second flight (onset visible in the first), sorted.
    pub stressed: Vec<i64>,
    /// Orchard ids entirely inside both footprints (the stressed ones are among them), sorted.
    pub candidates: Vec<i64>,
}

/// Where the two flights go and which parcels become stressed. `None` when there are no orchards.
pub fn plan_flights(seed: u64, orchards: &[Orchard]) -> Option<FlightPlan> {
    let (centre, _) = densest_cluster(orchards, 500.0)?;
    let mut rng = Rng::new(seed).fork(0xF1_16E7);
    let base_angle = rng.range(0.15, 0.35);
    let f1 = Footprint { centre: (centre.x(), centre.y()), half_len: 500.0, half_wid: 450.0, angle: base_angle };
    // The second mission is flown from a slightly different take-off point and heading.
    let f2 = Footprint {
        centre: (centre.x() + rng.range(-30.0, 30.0), centre.y() + rng.range(-30.0, 30.0)),
        angle: base_angle + rng.range(-0.08, 0.08),
        ..f1
    };
    let mut candidates: Vec<i64> = orchards
        .iter()
        .filter(|o| o.geom.exterior().0.iter().all(|p| f1.contains(p.x, p.y, 15.0) && f2.contains(p.x, p.y, 15.0)))
        .map(|o| o.id)
        .collect();
    candidates.sort();
    let mut pool = candidates.clone();
    // Fisher–Yates with the demo PRNG.
    for i in (1..pool.len()).rev() {
        let j = rng.below(i + 1);
        pool.swap(i, j);
    }
    let n = if candidates.len() < 2 { candidates.len() } else { ((candidates.len() as f64 * STRESSED_SHARE).round() as usize).clamp(1, candidates.len() - 1) };
    let mut stressed: Vec<i64> = pool.into_iter().take(n).collect();
    stressed.sort();
    let flights = vec![
        PlannedFlight { id: FLIGHT_DATES[0].into(), date: FLIGHT_DATES[0].into(), footprint: f1, gain: 1.0, spread: 0.2, growth: 0.0 },
        PlannedFlight { id: FLIGHT_DATES[1].into(), date: FLIGHT_DATES[1].into(), footprint: f2, gain: 1.04, spread: 0.58, growth: 0.03 },
    ];
    Some(FlightPlan { flights, stressed, candidates })
}

/// Write the two flights into `out_dir` (`<date>_p4m_reflectance.tif`, and `uav_truth.json` naming
/// the stressed parcels) in `crs`, the CRS of `orchards` and `dem`.
pub fn generate_flights(seed: u64, orchards: &[Orchard], dem: &Grid<f32>, out_dir: &Path, crs: &str) -> Result<Vec<UavFlightSource>> {
    let plan = plan_flights(seed, orchards).ok_or_else(|| Error::Invariant("UAV flight synthesis: no orchards to fly over".into()))?;
    if plan.candidates.is_empty() {
        return Err(Error::Invariant("UAV flight synthesis: no orchard lies inside the flight footprints".into()));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let stressed: std::collections::HashSet<i64> = plan.stressed.iter().copied().collect();
    let mut out = Vec::new();
    for (k, f) in plan.flights.iter().enumerate() {
        let (t, w, h) = f.footprint.grid();
        let scenes: Vec<Scene> = orchards
            .iter()
            .filter(|o| footprint_meets(&f.footprint, &o.geom))
            .map(|o| Scene::new(seed, o, stressed.contains(&o.id)))
            .collect();
        let name = format!("{}_p4m_reflectance.tif", f.date);
        let path = out_dir.join(&name);
        let flight_seed = mix(seed ^ (k as u64 + 1).wrapping_mul(0x51_7CC1_B727_220A));
        write_flight(&path, seed, flight_seed, f, &scenes, dem, t, w, h, crs)?;
        out.push(UavFlightSource { id: f.id.clone(), date: f.date.clone(), camera: "p4m".into(), bands: None, scale: None, images: vec![path] });
    }
    let truth = serde_json::json!({
        "seed": seed,
        "flights": plan.flights.iter().map(|f| serde_json::json!({
            "id": f.id, "date": f.date,
            "footprint_centre": [f.footprint.centre.0, f.footprint.centre.1],
            "footprint_size_m": [2.0 * f.footprint.half_len, 2.0 * f.footprint.half_wid],
            "heading_rad": f.footprint.angle,
        })).collect::<Vec<_>>(),
        "parcels_inside_both_footprints": plan.candidates,
        "stressed_orchards": plan.stressed,
        "note": "stress starts at one corner of each stressed parcel (flight 1) and spreads over most of it by flight 2",
    });
    let text = serde_json::to_string_pretty(&truth).map_err(|e| Error::Codec(e.to_string()))? + "\n";
    super::write_file(&out_dir.join("uav_truth.json"), text.as_bytes())?;
    Ok(out)
}

fn footprint_meets(f: &Footprint, p: &Polygon<f64>) -> bool {
    p.exterior().0.iter().any(|c| f.contains(c.x, c.y, -50.0))
}

// Reflectance spectra, bands Blue, Green, Red, RedEdge, NIR.
const MANGO: [f64; 5] = [0.030, 0.070, 0.040, 0.230, 0.460];
const LONGAN: [f64; 5] = [0.028, 0.066, 0.035, 0.220, 0.480];
/// Fully stressed crown (chlorosis and wilting): red rises, NIR falls.
const STRESSED: [f64; 5] = [0.050, 0.095, 0.120, 0.210, 0.270];
const SOIL: [f64; 5] = [0.090, 0.130, 0.190, 0.230, 0.270];
const FOREST: [f64; 5] = [0.025, 0.060, 0.032, 0.215, 0.420];
const SCRUB: [f64; 5] = [0.055, 0.095, 0.090, 0.200, 0.300];
const FIELD: [f64; 5] = [0.100, 0.140, 0.185, 0.225, 0.265];

/// Width (m) over which a crown's edge blends into the ground within a pixel.
const CROWN_EDGE_M: f64 = 0.2;
/// Sun direction (unit, towards the sun) for mid-morning flights: azimuth 120°.
const SUN: (f64, f64) = (0.866, -0.5);

/// One parcel's planting pattern and stress.
struct Scene {
    crop: Crop,
    geom: Polygon<f64>,
    bbox: (f64, f64, f64, f64),
    origin: (f64, f64),
    dir: (f64, f64),
    tree_sp: f64,
    row_sp: f64,
    crown: f64,
    key: u64,
    /// Stress focus and the parcel's extent from it, when stressed.
    stress: Option<((f64, f64), f64)>,
    /// This parcel's relative deviation from the flight's stress spread.
    spread_shift: f64,
    /// This parcel's share of the flight's crown growth (0.5–1.5).
    growth_share: f64,
}

impl Scene {
    fn new(seed: u64, o: &Orchard, stressed: bool) -> Self {
        let pts = &o.geom.exterior().0;
        // Rows run along the longest side.
        let (mut best, mut dir) = (0.0, (1.0, 0.0));
        for s in pts.windows(2) {
            let (dx, dy) = (s[1].x - s[0].x, s[1].y - s[0].y);
            let l = dx.hypot(dy);
            if l > best {
                best = l;
                dir = (dx / l, dy / l);
            }
        }
        let key = mix(seed ^ (o.id as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut rng = Rng::new(key);
        let (tree_sp, row_sp, crown) = match o.crop {
            Crop::Mango => (rng.range(5.5, 6.5), rng.range(6.5, 7.5), rng.range(2.1, 2.7)),
            Crop::Longan => (rng.range(6.5, 7.5), rng.range(7.5, 8.5), rng.range(2.5, 3.1)),
        };
        let (mut a, mut b, mut c, mut d) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in pts {
            a = a.min(p.x);
            b = b.min(p.y);
            c = c.max(p.x);
            d = d.max(p.y);
        }
        let stress = stressed.then(|| {
            let corner = pts[rng.below(pts.len() - 1)];
            let extent = pts.iter().map(|p| (p.x - corner.x).hypot(p.y - corner.y)).fold(0.0, f64::max);
            ((corner.x, corner.y), extent)
        });
        let spread_shift = rng.range(-0.2, 0.2);
        let growth_share = rng.range(0.5, 1.5);
        Self {
            crop: o.crop,
            geom: o.geom.clone(),
            bbox: (a, b, c, d),
            origin: (pts[0].x, pts[0].y),
            dir,
            tree_sp,
            row_sp,
            crown,
            key,
            stress,
            spread_shift,
            growth_share,
        }
    }

    /// Crown cover of the point (0–1) and the tree's (vigour, stress severity) there.
    fn crown_at(&self, x: f64, y: f64, f: &PlannedFlight) -> (f64, f64, f64) {
        // Scaled per parcel, so stress only spreads: a tree stressed at one flight stays stressed later.
        let spread = f.spread * (1.0 + self.spread_shift);
        let grow = 1.0 + f.growth * self.growth_share;
        let (dx, dy) = (x - self.origin.0, y - self.origin.1);
        let u = dx * self.dir.0 + dy * self.dir.1;
        let v = -dx * self.dir.1 + dy * self.dir.0;
        let (i0, j0) = ((u / self.tree_sp).round() as i64, (v / self.row_sp).round() as i64);
        let mut best = (0.0, 0.0, 0.0);
        for i in i0 - 1..=i0 + 1 {
            for j in j0 - 1..=j0 + 1 {
                let h = hash2(self.key, i, j);
                if h % 100 < 4 {
                    continue; // a missing tree
                }
                let r = |k: u32| ((mix(h ^ k as u64) >> 11) as f64) / (1u64 << 53) as f64;
                let tu = i as f64 * self.tree_sp + (r(1) - 0.5) * 0.7;
                let tv = j as f64 * self.row_sp + (r(2) - 0.5) * 0.7;
                let radius = self.crown * (0.85 + 0.3 * r(3)) * grow;
                let d = (u - tu).hypot(v - tv);
                let f = ((radius - d) / CROWN_EDGE_M + 0.5).clamp(0.0, 1.0);
                if f > best.0 {
                    let severity = match self.stress {
                        Some((focus, extent)) => {
                            let (tx, ty) = (
                                self.origin.0 + tu * self.dir.0 - tv * self.dir.1,
                                self.origin.1 + tu * self.dir.1 + tv * self.dir.0,
                            );
                            let reach = (tx - focus.0).hypot(ty - focus.1) / extent;
                            if reach < spread + (r(4) - 0.5) * 0.1 {
                                0.75 + 0.25 * r(5)
                            } else {
                                0.0
                            }
                        }
                        None => 0.0,
                    };
                    best = (f, r(6) * 2.0 - 1.0, severity);
                }
            }
        }
        best
    }
}

/// Approximately standard normal from a hash (sum of three uniforms, rescaled).
#[inline]
fn gauss(h: u64) -> f64 {
    let u = |s: u32| ((h >> s) & 0x1F_FFFF) as f64 / 0x1F_FFFF as f64;
    (u(0) + u(21) + u(42) - 1.5) * 2.0
}

#[inline]
fn lerp5(a: &[f64; 5], b: &[f64; 5], t: f64) -> [f64; 5] {
    std::array::from_fn(|k| a[k] + (b[k] - a[k]) * t)
}

/// Reflectance of the ground point (x, y) in flight `f`, or `None` outside the footprint.
fn reflectance(seed: u64, f: &PlannedFlight, scenes: &[&Scene], dem: &Grid<f32>, x: f64, y: f64) -> Option<[f64; 5]> {
    if !f.footprint.contains(x, y, 0.0) {
        return None;
    }
    let pt = Point::new(x, y);
    let scene = scenes.iter().find(|s| x >= s.bbox.0 && x <= s.bbox.2 && y >= s.bbox.1 && y <= s.bbox.3 && s.geom.contains(&pt));
    let soil_tex = 1.0 + 0.12 * fbm(seed ^ 0x5011, x, y, 9.0, 2, 0.5);
    let mut r = match scene {
        Some(s) => {
            let (cover, vigour, severity) = s.crown_at(x, y, f);
            let healthy = if s.crop == Crop::Mango { MANGO } else { LONGAN };
            let mut canopy = lerp5(&healthy, &STRESSED, severity);
            canopy[4] *= 1.0 + 0.05 * vigour;
            canopy[3] *= 1.0 + 0.03 * vigour;
            let mut soil = SOIL.map(|v| v * soil_tex);
            // Crown shadow on the ground on the side away from the sun.
            if cover < 0.5 && s.crown_at(x + 1.3 * SUN.0, y + 1.3 * SUN.1, f).0 > 0.5 {
                soil = soil.map(|v| v * 0.55);
            }
            lerp5(&soil, &canopy, cover)
        }
        None => {
            let n = fbm(seed ^ 0x1A2D, x, y, 140.0, 3, 0.5);
            let tex = 1.0 + 0.1 * fbm(seed ^ 0x7E7, x, y, 6.0, 2, 0.5);
            let smooth = |a: f64, b: f64, v: f64| ((v - a) / (b - a)).clamp(0.0, 1.0);
            let low = lerp5(&FIELD.map(|v| v * soil_tex), &SCRUB, smooth(-0.35, -0.05, n));
            let mut v = lerp5(&low, &FOREST, smooth(0.1, 0.4, n));
            v[4] *= tex;
            v
        }
    };
    // Topographic illumination (sun at 50° elevation) from the DEM, and the day's irradiance.
    let s = |dx: f64, dy: f64| dem.sample_bilinear(x + dx, y + dy).map(|v| v as f64);
    let illum = match (s(15.0, 0.0), s(-15.0, 0.0), s(0.0, 15.0), s(0.0, -15.0)) {
        (Some(e), Some(w), Some(n), Some(so)) => {
            let (gx, gy) = ((e - w) / 30.0, (n - so) / 30.0);
            let (sz, sh) = (50f64.to_radians().sin(), 50f64.to_radians().cos());
            let normal = (-gx, -gy, 1.0);
            let len = (gx * gx + gy * gy + 1.0).sqrt();
            ((normal.0 * SUN.0 * sh + normal.1 * SUN.1 * sh + sz) / len / sz).clamp(0.6, 1.25)
        }
        _ => 1.0,
    };
    for v in r.iter_mut() {
        *v *= illum * f.gain;
    }
    Some(r)
}

#[allow(clippy::too_many_arguments)]
fn write_flight(
    path: &Path,
    seed: u64,
    flight_seed: u64,
    f: &PlannedFlight,
    scenes: &[Scene],
    dem: &Grid<f32>,
    t: GeoTransform,
    w: usize,
    h: usize,
    crs: &str,
) -> Result<()> {
    use gdal::raster::{Buffer, RasterCreationOptions};
    use gdal::Metadata;
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").map_err(|e| Error::gdal(path, e))?;
    let tmp = crate::grid::io::tmp_path(path);
    let opts = RasterCreationOptions::from_iter([
        "TILED=YES",
        "BLOCKXSIZE=512",
        "BLOCKYSIZE=512",
        "COMPRESS=DEFLATE",
        "PREDICTOR=2",
        "ZLEVEL=6",
        "INTERLEAVE=BAND",
    ]);
    let mut ds = drv
        .create_with_band_type_with_options::<u16, _>(&tmp, w, h, 5, &opts)
        .map_err(|e| Error::gdal(path, e))?;
    ds.set_geo_transform(&t.to_gdal()).map_err(|e| Error::gdal(path, e))?;
    ds.set_spatial_ref(&crate::grid::io::spatial_ref(crs)?).map_err(|e| Error::gdal(path, e))?;
    ds.set_metadata_item("CAMERA", "DJI P4 Multispectral (synthetic, covermap demo)", "").map_err(|e| Error::gdal(path, e))?;
    ds.set_metadata_item("FLIGHT_DATE", &f.date, "").map_err(|e| Error::gdal(path, e))?;
    for (i, name) in ["Blue", "Green", "Red", "RedEdge", "NIR"].iter().enumerate() {
        let mut b = ds.rasterband(i + 1).map_err(|e| Error::gdal(path, e))?;
        b.set_no_data_value(Some(0.0)).map_err(|e| Error::gdal(path, e))?;
        b.set_scale(1.0 / DN_PER_REFLECTANCE).map_err(|e| Error::gdal(path, e))?;
        b.set_offset(0.0).map_err(|e| Error::gdal(path, e))?;
        b.set_description(name).map_err(|e| Error::gdal(path, e))?;
    }
    const STRIP: usize = 512;
    for y0 in (0..h).step_by(STRIP) {
        let sh = STRIP.min(h - y0);
        let (sy_top, sy_bot) = (t.y0 - y0 as f64 * t.dy, t.y0 - (y0 + sh) as f64 * t.dy);
        let here: Vec<&Scene> = scenes.iter().filter(|s| s.bbox.1 <= sy_top && s.bbox.3 >= sy_bot).collect();
        let rows: Vec<[Vec<u16>; 5]> = (y0..y0 + sh)
            .into_par_iter()
            .map(|row| {
                let mut out: [Vec<u16>; 5] = Default::default();
                for v in out.iter_mut() {
                    v.reserve(w);
                }
                let y = t.y0 - (row as f64 + 0.5) * t.dy;
                for col in 0..w {
                    let x = t.x0 + (col as f64 + 0.5) * t.dx;
                    match reflectance(seed, f, &here, dem, x, y) {
                        None => out.iter_mut().for_each(|v| v.push(0)),
                        Some(r) => {
                            for (k, v) in out.iter_mut().enumerate() {
                                let noise = 1.0 + 0.02 * gauss(hash2(flight_seed ^ k as u64, col as i64, row as i64));
                                let dn = (r[k] * noise * DN_PER_REFLECTANCE).round().clamp(1.0, 65535.0);
                                v.push(dn as u16);
                            }
                        }
                    }
                }
                out
            })
            .collect();
        for k in 0..5 {
            let mut data = Vec::with_capacity(w * sh);
            for r in &rows {
                data.extend_from_slice(&r[k]);
            }
            let mut band = ds.rasterband(k + 1).map_err(|e| Error::gdal(path, e))?;
            let mut buf = Buffer::new((w, sh), data);
            band.write((0, y0 as isize), (w, sh), &mut buf).map_err(|e| Error::gdal(path, e))?;
        }
    }
    ds.close().map_err(|e| Error::gdal(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Area of the footprint (m²), for reports.
pub fn footprint_area(f: &Footprint) -> f64 {
    f.polygon().unsigned_area()
}
