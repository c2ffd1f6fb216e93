//! Regulator-style hexagon maps (issue 12, item 5): the coverage aggregated on H3 resolution-8 cells,
//! as the US FCC's National Broadband Map publishes mobile coverage (H3 r8: ≈ 0.74 km², edge ≈ 461 m,
//! H3 documentation "Tables of cell statistics across resolutions"), so the result joins any other
//! H3-indexed data by `h3_index`.
//!
//! Method. Every DEM cell with data belongs to the H3 cell holding its centre (the `h3o` crate, a Rust
//! port of Uber's reference library). Projecting 38 M cell centres one by one through PROJ would cost
//! more than the aggregation, so the centres' longitudes and latitudes come from a lattice of PROJ
//! points every [`LATTICE`] cells, bilinearly interpolated: the working CRS is a conformal projection
//! whose second derivatives are ~1/R, so over a 32-cell (≈ 1 km) lattice the error is below a
//! centimetre, far under a cell (the unit tests check it against PROJ; a centre that close to a
//! hexagon's edge — a few in 100,000 — may be counted in the neighbour). Along a row a hexagon is ~31
//! cells of 30 m wide, so the assignment is kept as runs per row (≈ 20 MB for Sơn La at 30 m instead
//! of 4 bytes a cell), and each operator's raster is folded into per-hexagon sums as soon as the sweep
//! finishes it (rows in parallel, one accumulator per rayon task). Along a row only every 8th centre is
//! looked up: a hexagon is convex, so two centres in the same hexagon have every centre between them in it.
//!
//! Per hexagon × operator (the dataset's operators, then `any` = best over all operators):
//! `area_share_p90` — share of the hexagon's DEM cells covered at 90 % location probability
//! (median ≥ covered threshold + z₀.₉·σ, σ the operator's from the calibration, `any` with the pooled σ,
//! as `coverage_probability.tif`); `mean_rsrp_dbm` over the cells with signal; `population` of the
//! hamlets whose point is in the hexagon; `n_measurements`/`measured_mean_dbm` of the operator's drive
//! tests in it (as measured, in-vehicle samples included). The layer holds the hexagons whose centre
//! is inside the province and those holding a hamlet (so the population adds up to the hamlets'
//! total), each drawn as its H3 boundary in the working CRS.
use h3o::{CellIndex, LatLng, Resolution};

use super::best::RSRP_NODATA;
use super::layers::operator_key;
use super::location;
use super::params::CoverageParams;
use super::quality::QualityParams;
use crate::crs::Transformer;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::store::{fields_then, FieldType as T, GeomKind, Layer, Value};

mod grid;
pub use grid::{cell_at, HexGrid, HexStats, HexSums};

/// The H3 resolution of the layer (the FCC's).
pub const RESOLUTION: Resolution = Resolution::Eight;
/// The layer's name.
pub const LAYER: &str = "coverage_h3";
/// Spacing (DEM cells) of the lattice of exactly projected points that cell centres are interpolated in.
pub const LATTICE: usize = 32;
/// The operator value of the best-over-all-operators rows.
pub const ANY: &str = "any";

/// The `coverage_h3` layer in the making: the hexagon assignment, then each operator's raster as the
/// sweep finishes it ([`Self::add_operator`]), then the best-over-all raster ([`Self::add_any`]).
pub struct HexCoverage {
    grid: HexGrid,
    operators: Vec<String>,
    /// Per slot (operators, then `any`), per hexagon; `None` until added.
    stats: Vec<Option<HexSums>>,
    /// The speed tiers (Mbps) of `[coverage.quality] tiers_mbps`.
    tiers: Vec<f64>,
    /// The best rate over the operators folded in so far (Mbps per DEM cell, nodata
    /// [`RSRP_NODATA`]); `None` while no operator came with a rate raster.
    any_rate: Option<Vec<f32>>,
    population: Vec<u64>,
    /// Per slot, per hexagon: (count, sum of measured dBm).
    measured: Vec<Vec<(u32, f64)>>,
}

/// The H3 cells of points in `crs`.
fn cells_of(points: &[(f64, f64)], crs: &str) -> Result<Vec<CellIndex>> {
    if points.is_empty() {
        return Ok(Vec::new());
    }
    let mut ll = points.to_vec();
    Transformer::new(crs, "EPSG:4326")?.convert_all(&mut ll)?;
    ll.iter().map(|(lon, lat)| cell_at(*lon, *lat, RESOLUTION)).collect()
}

/// The fixed fields of the [`LAYER`] layer, in the order of each feature's values; then the share of
/// the area reaching each speed tier (`area_share_<tier>`).
const FIELDS: &[(&str, T)] = &[
    ("h3_index", T::Text),
    ("operator", T::Text),
    ("area_share_p90", T::Real),
    ("mean_rsrp_dbm", T::Real),
    ("population", T::Integer),
    ("n_measurements", T::Integer),
    ("measured_mean_dbm", T::Real),
    ("mean_dl_mbps", T::Real),
];

impl HexCoverage {
    /// Assign the DEM to hexagons and count the hamlets' population and the measurements per hexagon.
    /// `operators` in the order [`Self::add_operator`] will be given them; `tiers` the speed tiers (Mbps).
    pub fn new(ds: &Dataset, operators: &[String], tiers: &[f64]) -> Result<Self> {
        let hamlet_pts: Vec<(f64, f64)> = ds.hamlets.iter().map(|h| (h.pos.x(), h.pos.y())).collect();
        let meas_pts: Vec<(f64, f64)> = ds.measurements.iter().map(|m| (m.pos.x(), m.pos.y())).collect();
        let hamlet_cells = cells_of(&hamlet_pts, &ds.crs).map_err(|e| e.context(format!("{LAYER}: hamlets")))?;
        let meas_cells = cells_of(&meas_pts, &ds.crs).map_err(|e| e.context(format!("{LAYER}: measurements")))?;
        let grid = HexGrid::new(&ds.dem, &ds.crs, RESOLUTION, &hamlet_cells).map_err(|e| e.context(format!("{LAYER}: DEM cells")))?;
        let n = grid.hexes.len();
        let mut population = vec![0u64; n];
        for (h, c) in ds.hamlets.iter().zip(&hamlet_cells) {
            // Every hamlet's cell is in the grid (given as extra).
            if let Some(k) = grid.position(*c) {
                population[k] += h.population as u64;
            }
        }
        let slots = operators.len() + 1;
        let mut measured = vec![vec![(0u32, 0.0f64); n]; slots];
        let keys: Vec<String> = operators.iter().map(|o| operator_key(o)).collect();
        for (m, c) in ds.measurements.iter().zip(&meas_cells) {
            let Some(k) = grid.position(*c) else { continue };
            let key = operator_key(&m.operator);
            for s in keys.iter().enumerate().filter(|(_, o)| **o == key).map(|(s, _)| s).chain([slots - 1]) {
                measured[s][k].0 += 1;
                measured[s][k].1 += m.rsrp_dbm;
            }
        }
        Ok(Self { grid, operators: operators.to_vec(), stats: vec![None; slots], tiers: tiers.to_vec(), any_rate: None, population, measured })
    }

    /// The hexagon assignment.
    pub fn grid(&self) -> &HexGrid {
        &self.grid
    }

    /// Fold operator `o`'s (index into the operators given to [`Self::new`]) RSRP raster in, with its
    /// downlink-rate raster.
    /// The rate also goes into the running best over the operators (4 bytes a cell until
    /// [`Self::add_any`]), so `any` reaches a tier where one operator does, as the indicators count.
    pub fn add_operator(&mut self, o: usize, rsrp: &Grid<f32>, rate: &Grid<f32>, params: &CoverageParams) -> Result<()> {
        let sigma = params.sigma_db(Some(self.operators[o].as_str()));
        self.add(o, rsrp, Some(rate), params.covered_dbm, sigma)?;
        use rayon::prelude::*;
        // Nodata (−9999) is below every rate (≥ 0), so a plain max keeps "no rate" only where none has one.
        let best = self.any_rate.get_or_insert_with(|| vec![RSRP_NODATA; rate.data.len()]);
        best.par_iter_mut().zip(&rate.data).for_each(|(b, v)| *b = b.max(*v));
        Ok(())
    }

    /// Fold the best-over-all-operators raster in (σ pooled over all operators), with the best rate
    /// over the operators.
    pub fn add_any(&mut self, rsrp_any: &Grid<f32>, params: &CoverageParams) -> Result<()> {
        let rate = self.any_rate.take().map(|data| Grid { width: rsrp_any.width, height: rsrp_any.height, transform: rsrp_any.transform, nodata: Some(RSRP_NODATA), data });
        self.add(self.operators.len(), rsrp_any, rate.as_ref(), params.covered_dbm, params.sigma_db(None))
    }

    fn add(&mut self, slot: usize, rsrp: &Grid<f32>, rate: Option<&Grid<f32>>, covered_dbm: f64, sigma_db: f64) -> Result<()> {
        let sums = self.grid.aggregate_with_rate(rsrp, rate.map(|r| (r, self.tiers.as_slice())), |v| location::class(v, covered_dbm, sigma_db) == 2)?;
        self.stats[slot] = Some(sums);
        Ok(())
    }

    /// The layer: one feature per reported hexagon × operator (operators, then `any`).
    pub fn layer(&self, ds: &Dataset) -> Result<Layer> {
        let slots = self.operators.len() + 1;
        let missing: Vec<&str> =
            (0..slots).filter(|s| self.stats[*s].is_none()).map(|s| self.operators.get(s).map_or(ANY, |o| o.as_str())).collect();
        if !missing.is_empty() {
            return Err(Error::Invariant(format!("{LAYER}: no raster folded in for {}", missing.join(", "))));
        }
        let per_tier = self.tiers.iter().map(|t| (format!("area_share_{}", QualityParams::tier_key(*t)), T::Real));
        let mut layer = Layer::new(LAYER, GeomKind::Polygon, &ds.crs, &fields_then(FIELDS, per_tier));
        // Reported: the hexagons whose centre is in the province, and every one holding a hamlet.
        let centres: Vec<(f64, f64)> = self.grid.hexes.iter().map(|c| LatLng::from(*c)).map(|ll| (ll.lng(), ll.lat())).collect();
        let mut projected = centres;
        if !projected.is_empty() {
            Transformer::new("EPSG:4326", &ds.crs)?.convert_all(&mut projected)?;
        }
        let province = PolygonIndex::new(&ds.province);
        let reported: Vec<usize> =
            (0..self.grid.hexes.len()).filter(|k| self.population[*k] > 0 || province.contains(projected[*k].0, projected[*k].1)).collect();
        // Boundaries into the working CRS in one batch.
        let rings: Vec<Vec<(f64, f64)>> =
            reported.iter().map(|k| self.grid.hexes[*k].boundary().iter().map(|ll| (ll.lng(), ll.lat())).collect()).collect();
        let mut flat: Vec<(f64, f64)> = rings.iter().flatten().copied().collect();
        if !flat.is_empty() {
            Transformer::new("EPSG:4326", &ds.crs)?.convert_all(&mut flat)?;
        }
        let mut at = 0;
        let r4 = |v: f64| (v * 1e4).round() / 1e4;
        let r2 = |v: f64| (v * 100.0).round() / 100.0;
        for (i, k) in reported.iter().enumerate() {
            let n = rings[i].len();
            let mut ring: Vec<(f64, f64)> = flat[at..at + n].to_vec();
            at += n;
            ring.push(ring[0]);
            let poly = geo::Polygon::new(geo::LineString::from(ring), vec![]);
            let index = self.grid.hexes[*k].to_string();
            let cells = self.grid.dem_cells[*k];
            for s in 0..slots {
                let sums = self.stats[s].as_ref();
                let st = sums.map_or(HexStats::default(), |v| v.stats[*k]);
                let (nm, sum) = self.measured[s][*k];
                let mut values = vec![
                    index.clone().into(),
                    self.operators.get(s).map_or(ANY, |o| o.as_str()).into(),
                    if cells == 0 { Value::Null } else { r4(st.covered as f64 / cells as f64).into() },
                    if st.signal == 0 { Value::Null } else { r2(st.sum_dbm / st.signal as f64).into() },
                    (self.population[*k] as i64).into(),
                    nm.into(),
                    if nm == 0 { Value::Null } else { r2(sum / nm as f64).into() },
                    if st.rate_cells == 0 { Value::Null } else { r2(st.sum_mbps / st.rate_cells as f64).into() },
                ];
                // Speed tiers: share of the hexagon's DEM cells, unknown (null) without a rate raster.
                match sums.filter(|v| v.rate && cells > 0) {
                    Some(v) => values.extend(v.tiers_of(*k).iter().map(|c| Value::from(r4(*c as f64 / cells as f64)))),
                    None => values.extend(self.tiers.iter().map(|_| Value::Null)),
                }
                layer.push((i * slots + s + 1) as i64, Some(geo::Geometry::Polygon(poly.clone())), values);
            }
        }
        Ok(layer)
    }
}

/// Even-odd point-in-polygon over a multipolygon's rings, edges bucketed by horizontal bands so a
/// test reads only the edges that cross its latitude (the province outline has thousands of vertices
/// and there are tens of thousands of hexagon centres).
struct PolygonIndex {
    y0: f64,
    band: f64,
    bands: Vec<Vec<[f64; 4]>>,
}

impl PolygonIndex {
    const BANDS: usize = 256;

    fn new(mp: &geo::MultiPolygon<f64>) -> Self {
        let edges: Vec<[f64; 4]> = mp
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|ring| ring.lines().map(|l| [l.start.x, l.start.y, l.end.x, l.end.y]))
            .collect();
        let (y0, y1) = edges.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), e| (a.min(e[1]).min(e[3]), b.max(e[1]).max(e[3])));
        if edges.is_empty() {
            return Self { y0: 0.0, band: 1.0, bands: Vec::new() };
        }
        let band = ((y1 - y0) / Self::BANDS as f64).max(1e-9);
        let mut bands = vec![Vec::new(); Self::BANDS];
        for e in edges {
            let (lo, hi) = (e[1].min(e[3]), e[1].max(e[3]));
            let b0 = (((lo - y0) / band) as usize).min(Self::BANDS - 1);
            let b1 = (((hi - y0) / band) as usize).min(Self::BANDS - 1);
            for b in &mut bands[b0..=b1] {
                b.push(e);
            }
        }
        Self { y0, band, bands }
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        if self.bands.is_empty() || y < self.y0 {
            return false;
        }
        let b = ((y - self.y0) / self.band) as usize;
        let Some(edges) = self.bands.get(b) else { return false };
        let mut inside = false;
        for e in edges {
            let (xa, ya, xb, yb) = (e[0], e[1], e[2], e[3]);
            if (ya > y) != (yb > y) && x < xa + (y - ya) * (xb - xa) / (yb - ya) {
                inside = !inside;
            }
        }
        inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_odd_containment() {
        use geo::{polygon, MultiPolygon};
        let p = polygon!(exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 4.0)]]);
        let idx = PolygonIndex::new(&MultiPolygon(vec![p]));
        assert!(idx.contains(1.0, 1.0));
        assert!(idx.contains(9.5, 9.5));
        assert!(!idx.contains(5.5, 4.5), "in the hole");
        assert!(!idx.contains(11.0, 5.0));
        assert!(!idx.contains(5.0, -1.0));
        assert!(!PolygonIndex::new(&MultiPolygon(vec![])).contains(0.0, 0.0));
    }
}
