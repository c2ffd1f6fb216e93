//! Regulator-style hexagon maps (issue 12, item 5): the coverage aggregated on H3 resolution-8 cells,
//! as the US FCC's National Broadband Map publishes mobile coverage (H3 r8: ≈ 0.74 km², edge ≈ 461 m,
//! H3 documentation "Tables of cell statistics across resolutions"), so the result joins any other
//! H3-indexed data by `h3_index`.
//!
//! Method. Every DEM cell with data belongs to the H3 cell holding its centre (the `h3o` crate, a Rust
//! port of Uber's reference library). Projecting 38 M cell centres one by one through PROJ would cost
//! more than the aggregation, so the centres' longitudes and latitudes come from a lattice of PROJ
//! points every [`LATTICE`] cells, bilinearly interpolated: the working CRS is a conformal projection
//! whose second derivatives are ~1/R, so over a 32-cell (≈ 1 km) lattice the error is below a few
//! centimetres, far under a cell (the unit test checks it against PROJ). Along a row a hexagon is ~31
//! cells of 30 m wide, so the assignment is kept as runs per row (≈ 20 MB for Sơn La at 30 m instead
//! of 4 bytes a cell), and each operator's raster is folded into per-hexagon sums as soon as the sweep
//! finishes it (rows in parallel, one accumulator per rayon task). Along a row only every 8th centre is
looked up: a hexagon is convex, so two centres in the same hexagon have every centre between them in it.
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
use rayon::prelude::*;

use super::best::RSRP_NODATA;
use super::layers::operator_key;
use super::location;
use super::params::CoverageParams;
use crate::crs::Transformer;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::grid::Grid;
use crate::store::{FieldType as T, GeomKind, Layer, Value};

/// The H3 resolution of the layer (the FCC's).
pub const RESOLUTION: Resolution = Resolution::Eight;
/// The layer's name.
pub const LAYER: &str = "coverage_h3";
/// Spacing (DEM cells) of the lattice of exactly projected points that cell centres are interpolated in.
pub const LATTICE: usize = 32;
/// The operator value of the best-over-all-operators rows.
pub const ANY: &str = "any";

/// Cells between H3 look-ups along a row (a resolution-8 hexagon is ≈ 31 cells of 30 m across).
const STRIDE: usize = 8;

const NONE: u32 = u32::MAX;

/// The H3 cell of a longitude/latitude (degrees, WGS 84).
pub fn cell_at(lon: f64, lat: f64, res: Resolution) -> Result<CellIndex> {
    LatLng::new(lat, lon)
        .map(|ll| ll.to_cell(res))
        .map_err(|e| Error::Invariant(format!("H3 cell of ({lon}, {lat}): {e}")))
}

/// Longitude/latitude of every cell centre of one row, interpolated in the lattice.
struct Lattice {
    rows: Vec<usize>,
    cols: Vec<usize>,
    /// (lon, lat) at lattice rows × lattice columns, row-major.
    pts: Vec<(f64, f64)>,
}

/// Lattice positions 0, step, 2·step, … and always the last index.
fn lattice_positions(n: usize, step: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).step_by(step).collect();
    if *v.last().unwrap_or(&0) != n.saturating_sub(1) {
        v.push(n - 1);
    }
    v
}

/// (index of the lattice interval holding `i`, fraction within it).
fn bracket(pos: &[usize], step: usize, i: usize) -> (usize, f64) {
    if pos.len() < 2 {
        return (0, 0.0);
    }
    let k = (i / step).min(pos.len() - 2);
    (k, (i - pos[k]) as f64 / (pos[k + 1] - pos[k]) as f64)
}

impl Lattice {
    fn new(dem: &Grid<f32>, crs: &str, step: usize) -> Result<Self> {
        let rows = lattice_positions(dem.height, step);
        let cols = lattice_positions(dem.width, step);
        let mut pts: Vec<(f64, f64)> = rows.iter().flat_map(|r| cols.iter().map(move |c| dem.cell_center(*c, *r))).collect();
        Transformer::new(crs, "EPSG:4326")?.convert_all(&mut pts)?;
        Ok(Self { rows, cols, pts })
    }

    /// (lon, lat) of every cell centre of `row`, in column order.
    fn row(&self, row: usize, width: usize, step: usize) -> Vec<(f64, f64)> {
        let nc = self.cols.len();
        let (k, t) = bracket(&self.rows, step, row);
        let k1 = (k + 1).min(self.rows.len() - 1);
        let lerp = |a: (f64, f64), b: (f64, f64), t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        let at: Vec<(f64, f64)> = (0..nc).map(|j| lerp(self.pts[k * nc + j], self.pts[k1 * nc + j], t)).collect();
        (0..width)
            .map(|c| {
                let (j, u) = bracket(&self.cols, step, c);
                lerp(at[j], at[(j + 1).min(nc - 1)], u)
            })
            .collect()
    }
}

/// One run of a row: cells up to `end` (exclusive) belong to hexagon `hex` (an index into
/// [`HexGrid::hexes`], or none where the DEM has no data).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Run {
    end: u32,
    hex: u32,
}

/// Which H3 cell every DEM cell belongs to, as runs along the rows.
pub struct HexGrid {
    /// Every hexagon holding a DEM cell with data, or one of the extra cells given, sorted.
    pub hexes: Vec<CellIndex>,
    /// DEM cells with data per hexagon.
    pub dem_cells: Vec<u32>,
    runs: Vec<Vec<Run>>,
    width: usize,
    height: usize,
}

impl HexGrid {
    /// Assign the cells of `dem` (in `crs`) to H3 cells of `res`; `extra` cells are listed even when
    /// no DEM cell centre falls in them (a hamlet's hexagon at the DEM's edge).
    pub fn new(dem: &Grid<f32>, crs: &str, res: Resolution, extra: &[CellIndex]) -> Result<Self> {
        Self::with_lattice(dem, crs, res, extra, LATTICE)
    }

    fn with_lattice(dem: &Grid<f32>, crs: &str, res: Resolution, extra: &[CellIndex], step: usize) -> Result<Self> {
        let lattice = Lattice::new(dem, crs, step)?;
        // Runs of raw H3 indices (u64, 0 = no data) per row.
        let raw: Vec<Vec<(u32, u64)>> = (0..dem.height)
            .into_par_iter()
            .map(|r| -> Result<Vec<(u32, u64)>> {
                let ll = lattice.row(r, dem.width, step);
                let h3 = |c: usize| cell_at(ll[c].0, ll[c].1, res).map(u64::from);
                let mut runs: Vec<(u32, u64)> = Vec::new();
                let mut cur: Option<u64> = None;
                let mut push = |c: usize, h: u64| {
                    let z = dem.data[r * dem.width + c];
                    let h = if dem.is_nodata(z) || z.is_nan() { 0 } else { h };
                    if cur != Some(h) {
                        if let Some(prev) = cur {
                            runs.push((c as u32, prev));
                        }
                        cur = Some(h);
                    }
                };
                // A hexagon is convex and the centres of a row lie on a line (to < 1 cm), so when the
                // cells STRIDE apart share a hexagon every cell between does: look up only the ends.
                let mut c = 0usize;
                let mut hc = h3(0)?;
                while c + 1 < dem.width {
                    let e = (c + STRIDE).min(dem.width - 1);
                    let he = h3(e)?;
                    push(c, hc);
                    for i in c + 1..e {
                        push(i, if hc == he { hc } else { h3(i)? });
                    }
                    (c, hc) = (e, he);
                }
                push(c, hc);
                if let Some(prev) = cur {
                    runs.push((dem.width as u32, prev));
                }
                Ok(runs)
            })
            .collect::<Result<_>>()?;
        let mut ids: Vec<u64> = raw.iter().flatten().map(|r| r.1).filter(|h| *h != 0).chain(extra.iter().map(|c| u64::from(*c))).collect();
        ids.par_sort_unstable();
        ids.dedup();
        let hexes: Vec<CellIndex> =
            ids.iter().map(|h| CellIndex::try_from(*h).map_err(|e| Error::Invariant(format!("H3 index {h:x}: {e}")))).collect::<Result<_>>()?;
        let runs: Vec<Vec<Run>> = raw
            .into_par_iter()
            .map(|row| {
                row.into_iter()
                    .map(|(end, h)| Run { end, hex: if h == 0 { NONE } else { ids.binary_search(&h).map_or(NONE, |k| k as u32) } })
                    .collect()
            })
            .collect();
        let mut dem_cells = vec![0u32; hexes.len()];
        for row in &runs {
            let mut start = 0u32;
            for run in row {
                if run.hex != NONE {
                    dem_cells[run.hex as usize] += run.end - start;
                }
                start = run.end;
            }
        }
        Ok(Self { hexes, dem_cells, runs, width: dem.width, height: dem.height })
    }

    /// The hexagon (position in [`Self::hexes`]) of DEM cell (`col`, `row`); `None` where it has no data.
    #[cfg(test)]
    fn at(&self, col: usize, row: usize) -> Option<usize> {
        let run = self.runs[row].iter().find(|r| col < r.end as usize)?;
        (run.hex != NONE).then_some(run.hex as usize)
    }

    /// The position of `cell` in [`Self::hexes`].
    pub fn position(&self, cell: CellIndex) -> Option<usize> {
        self.hexes.binary_search(&cell).ok()
    }

    /// Fold a raster of the DEM's shape into per-hexagon sums: cells with signal (neither nodata
    /// [`RSRP_NODATA`] nor NaN), their RSRP, and those where `covered(v)` holds.
    pub fn aggregate(&self, rsrp: &Grid<f32>, covered: impl Fn(f32) -> bool + Sync) -> Result<Vec<HexStats>> {
        if rsrp.width != self.width || rsrp.height != self.height {
            return Err(Error::Invariant(format!(
                "{LAYER}: a {}×{} raster against the DEM's {}×{} hexagon assignment",
                rsrp.width, rsrp.height, self.width, self.height
            )));
        }
        let n = self.hexes.len();
        Ok((0..self.height)
            .into_par_iter()
            .with_min_len(64)
            .fold(
                || vec![HexStats::default(); n],
                |mut acc, r| {
                    let row = &rsrp.data[r * self.width..(r + 1) * self.width];
                    let mut start = 0usize;
                    for run in &self.runs[r] {
                        let end = run.end as usize;
                        if run.hex != NONE {
                            let s = &mut acc[run.hex as usize];
                            for &v in &row[start..end] {
                                if v != RSRP_NODATA && !v.is_nan() {
                                    s.signal += 1;
                                    s.sum_dbm += v as f64;
                                    s.covered += covered(v) as u32;
                                }
                            }
                        }
                        start = end;
                    }
                    acc
                },
            )
            .reduce(
                || vec![HexStats::default(); n],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        x.add(&y);
                    }
                    a
                },
            ))
    }
}

/// One hexagon's sums for one operator.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HexStats {
    /// DEM cells covered at 90 % location probability.
    pub covered: u32,
    /// DEM cells with signal.
    pub signal: u32,
    pub sum_dbm: f64,
}

impl HexStats {
    fn add(&mut self, o: &HexStats) {
        self.covered += o.covered;
        self.signal += o.signal;
        self.sum_dbm += o.sum_dbm;
    }
}

/// The `coverage_h3` layer in the making: the hexagon assignment, then each operator's raster as the
/// sweep finishes it ([`Self::add_operator`]), then the best-over-all raster ([`Self::add_any`]).
pub struct HexCoverage {
    grid: HexGrid,
    operators: Vec<String>,
    /// Per slot (operators, then `any`), per hexagon; `None` until added.
    stats: Vec<Option<Vec<HexStats>>>,
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

impl HexCoverage {
    /// Assign the DEM to hexagons and count the hamlets' population and the measurements per hexagon.
    /// `operators` in the order [`Self::add_operator`] will be given them.
    pub fn new(ds: &Dataset, operators: &[String]) -> Result<Self> {
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
        Ok(Self { grid, operators: operators.to_vec(), stats: vec![None; slots], population, measured })
    }

    /// The hexagon assignment.
    pub fn grid(&self) -> &HexGrid {
        &self.grid
    }

    /// Fold operator `o`'s (index into the operators given to [`Self::new`]) RSRP raster in.
    pub fn add_operator(&mut self, o: usize, rsrp: &Grid<f32>, params: &CoverageParams) -> Result<()> {
        let sigma = params.sigma_db(Some(self.operators[o].as_str()));
        self.add(o, rsrp, params.covered_dbm, sigma)
    }

    /// Fold the best-over-all-operators raster in (σ pooled over all operators).
    pub fn add_any(&mut self, rsrp_any: &Grid<f32>, params: &CoverageParams) -> Result<()> {
        self.add(self.operators.len(), rsrp_any, params.covered_dbm, params.sigma_db(None))
    }

    fn add(&mut self, slot: usize, rsrp: &Grid<f32>, covered_dbm: f64, sigma_db: f64) -> Result<()> {
        let stats = self.grid.aggregate(rsrp, |v| location::class(v, covered_dbm, sigma_db) == 2)?;
        self.stats[slot] = Some(stats);
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
        let fields = [
            ("h3_index", T::Text),
            ("operator", T::Text),
            ("area_share_p90", T::Real),
            ("mean_rsrp_dbm", T::Real),
            ("population", T::Integer),
            ("n_measurements", T::Integer),
            ("measured_mean_dbm", T::Real),
        ];
        let mut layer = Layer::new(LAYER, GeomKind::Polygon, &ds.crs, &fields);
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
                let st = self.stats[s].as_ref().map_or(HexStats::default(), |v| v[*k]);
                let (nm, sum) = self.measured[s][*k];
                layer.push(
                    (i * slots + s + 1) as i64,
                    Some(geo::Geometry::Polygon(poly.clone())),
                    vec![
                        index.clone().into(),
                        self.operators.get(s).map_or(ANY, |o| o.as_str()).into(),
                        if cells == 0 { Value::Null } else { r4(st.covered as f64 / cells as f64).into() },
                        if st.signal == 0 { Value::Null } else { r2(st.sum_dbm / st.signal as f64).into() },
                        (self.population[*k] as i64).into(),
                        nm.into(),
                        if nm == 0 { Value::Null } else { r2(sum / nm as f64).into() },
                    ],
                );
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
    use crate::grid::GeoTransform;

    #[test]
    fn cells_agree_with_the_h3_reference() {
        // H3 documentation (h3geo.org, "Indexing" / the library's README example): the point
        // (37.7752702151959, −122.418307270836) at resolution 9 is 8928308280fffff.
        let c = cell_at(-122.418_307_270_836, 37.775_270_215_195_9, Resolution::Nine).unwrap();
        assert_eq!(c.to_string(), "8928308280fffff");
        // Its resolution-8 parent by the H3 index bit layout (resolution field 8, the 9th digit set to 7).
        assert_eq!(c.parent(Resolution::Eight).unwrap().to_string(), "8828308281fffff");
        assert_eq!(cell_at(-122.418_307_270_836, 37.775_270_215_195_9, RESOLUTION).unwrap().to_string(), "8828308281fffff");
        // Resolution 8 hexagons average 0.7373 km² (H3 "cell statistics" table).
        let area = c.parent(Resolution::Eight).unwrap().area_km2();
        assert!((0.6..0.9).contains(&area), "{area}");
    }

    #[test]
    fn interpolated_centres_match_proj() {
        // A 200 × 150 grid of 30 m cells in UTM 48N around Sơn La town: the lattice's interpolated
        // lon/lat of every centre within 1e-7° (≈ 1 cm) of PROJ's.
        let dem = Grid::new(200, 150, GeoTransform { x0: 400_000.0, y0: 2_360_000.0, dx: 30.0, dy: 30.0 }, 500.0f32, None);
        let lattice = Lattice::new(&dem, "EPSG:32648", 32).unwrap();
        let t = Transformer::new("EPSG:32648", "EPSG:4326").unwrap();
        let mut worst: f64 = 0.0;
        for r in (0..150).step_by(7) {
            let row = lattice.row(r, 200, 32);
            for c in 0..200 {
                let (x, y) = dem.cell_center(c, r);
                let (lon, lat) = t.convert(x, y).unwrap();
                worst = worst.max((lon - row[c].0).abs()).max((lat - row[c].1).abs());
            }
        }
        assert!(worst < 1e-7, "{worst}");
    }

    #[test]
    fn aggregation_counts_shares_and_means() {
        // A 300 × 200 grid of 30 m (≈ 80 hexagons): every cell's hexagon straight from PROJ and h3o
        // equals the runs' (strided look-ups, interpolated centres), and the per-hexagon sums equal a
        // direct count: −100 / −110 dBm on alternate columns of the west half, no signal on the east;
        // covered where v ≥ −100.
        let (w, h, half) = (300usize, 200usize, 150usize);
        let mut dem = Grid::new(w, h, GeoTransform { x0: 400_000.0, y0: 2_360_000.0, dx: 30.0, dy: 30.0 }, 500.0f32, Some(-32768.0));
        dem.set(0, 0, -32768.0);
        dem.set(77, 31, -32768.0);
        let grid = HexGrid::with_lattice(&dem, "EPSG:32648", RESOLUTION, &[], 32).unwrap();
        let t = Transformer::new("EPSG:32648", "EPSG:4326").unwrap();
        let mut direct = vec![0u32; grid.hexes.len()];
        let mut west = vec![0u32; grid.hexes.len()];
        for r in 0..h {
            for c in 0..w {
                if (c, r) == (0, 0) || (c, r) == (77, 31) {
                    assert_eq!(grid.at(c, r), None);
                    continue;
                }
                let (x, y) = dem.cell_center(c, r);
                let (lon, lat) = t.convert(x, y).unwrap();
                let k = grid.position(cell_at(lon, lat, RESOLUTION).unwrap()).unwrap();
                assert_eq!(grid.at(c, r), Some(k), "cell ({c}, {r})");
                direct[k] += 1;
                west[k] += (c < half) as u32;
            }
        }
        assert_eq!(grid.dem_cells, direct);
        assert_eq!(grid.dem_cells.iter().sum::<u32>() as usize, w * h - 2);
        assert!(grid.hexes.len() >= 60, "a 9 × 6 km grid spans dozens of 0.74 km² hexagons: {}", grid.hexes.len());
        let mut rsrp = dem.like(RSRP_NODATA, Some(RSRP_NODATA));
        for r in 0..h {
            for c in 0..half {
                rsrp.set(c, r, if c % 2 == 0 { -100.0 } else { -110.0 });
            }
        }
        let stats = grid.aggregate(&rsrp, |v| v >= -100.0).unwrap();
        for (k, s) in stats.iter().enumerate() {
            assert_eq!(s.signal, west[k], "hex {}", grid.hexes[k]);
            if s.signal > 0 {
                assert!(s.sum_dbm / s.signal as f64 <= -100.0 && s.sum_dbm / s.signal as f64 >= -110.0);
            }
        }
        // Even columns of the west half are covered: 75 × 200, less the no-data (0, 0); (77, 31) is odd.
        let covered: u32 = stats.iter().map(|s| s.covered).sum();
        assert_eq!(covered, 75 * 200 - 1);
        assert_eq!(stats.iter().map(|s| s.signal).sum::<u32>(), 150 * 200 - 2);
        let sum: f64 = stats.iter().map(|s| s.sum_dbm).sum();
        assert!((sum - (-100.0 * (75.0 * 200.0 - 1.0) - 110.0 * (75.0 * 200.0 - 1.0))).abs() < 1e-6);
    }

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
