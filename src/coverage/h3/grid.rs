//! The H3 assignment of a DEM (issue 12 item 5): which resolution-8 hexagon every DEM cell's centre
//! lies in, kept as runs along the rows, and the fold of rasters of the DEM's shape into per-hexagon
//! sums (see the parent module for the method and its accuracy).

use h3o::{CellIndex, LatLng, Resolution};
use rayon::prelude::*;

use crate::coverage::best::RSRP_NODATA;
use crate::crs::Transformer;
use crate::error::{Error, Result};
use crate::grid::Grid;

use super::{LATTICE, LAYER};

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

/// How the cells between two looked-up cells STRIDE apart in different hexagons are assigned.
#[derive(Clone, Copy, PartialEq)]
enum Lookups {
    /// By halves: the middle cell is looked up and each half is one hexagon when its two ends are
    /// (the same convexity as for the STRIDE ends); about 3 look-ups instead of 7 where a row
    /// crosses a hexagon border, which is every ~15 cells. The assignment equals `Every`'s on the
    /// province's DEM (the test below).
    Bisect,
    /// Every cell between looked up (the reference).
    #[cfg_attr(not(test), allow(dead_code))]
    Every,
}

/// Assign the cells strictly between `a` (in hexagon `ha`) and `b` (in `hb`) in order, through
/// `out`, looking up the middle of every interval whose ends differ.
fn between(a: usize, ha: u64, b: usize, hb: u64, h3: &impl Fn(usize) -> Result<u64>, out: &mut impl FnMut(usize, u64)) -> Result<()> {
    if b - a < 2 {
        return Ok(());
    }
    if ha == hb {
        (a + 1..b).for_each(|i| out(i, ha));
        return Ok(());
    }
    let m = (a + b) / 2;
    let hm = h3(m)?;
    between(a, ha, m, hm, h3, out)?;
    out(m, hm);
    between(m, hm, b, hb, h3, out)
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
        Self::with_lookups(dem, crs, res, extra, step, Lookups::Bisect)
    }

    fn with_lookups(dem: &Grid<f32>, crs: &str, res: Resolution, extra: &[CellIndex], step: usize, lookups: Lookups) -> Result<Self> {
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
                    match lookups {
                        Lookups::Bisect => between(c, hc, e, he, &h3, &mut push)?,
                        Lookups::Every => {
                            for i in c + 1..e {
                                push(i, if hc == he { hc } else { h3(i)? });
                            }
                        }
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
        Ok(self.aggregate_with_rate(rsrp, None, covered)?.stats)
    }

    /// [`Self::aggregate`] and, in the same pass over the rows, a downlink-rate raster (Mbps, nodata
    /// [`RSRP_NODATA`]) with the speed tiers (Mbps): cells with a rate, their sum, and the cells at or
    /// above each tier (`v ≥ tier`, as the indicators count hamlets).
    pub fn aggregate_with_rate(&self, rsrp: &Grid<f32>, rate: Option<(&Grid<f32>, &[f64])>, covered: impl Fn(f32) -> bool + Sync) -> Result<HexSums> {
        for (what, g) in std::iter::once(("RSRP", rsrp)).chain(rate.map(|r| ("rate", r.0))) {
            if g.width != self.width || g.height != self.height {
                return Err(Error::Invariant(format!(
                    "{LAYER}: a {}×{} {what} raster against the DEM's {}×{} hexagon assignment",
                    g.width, g.height, self.width, self.height
                )));
            }
        }
        let n = self.hexes.len();
        let tiers: &[f64] = rate.map_or(&[], |r| r.1);
        let nt = tiers.len();
        let empty = || HexSums { stats: vec![HexStats::default(); n], tier_cells: vec![0; if rate.is_some() { n * nt } else { 0 }], tiers: nt, rate: rate.is_some() };
        Ok((0..self.height)
            .into_par_iter()
            .with_min_len(64)
            .fold(empty, |mut acc, r| {
                let row = &rsrp.data[r * self.width..(r + 1) * self.width];
                let rate_row = rate.map(|g| &g.0.data[r * self.width..(r + 1) * self.width]);
                let mut start = 0usize;
                for run in &self.runs[r] {
                    let end = run.end as usize;
                    if run.hex != NONE {
                        let k = run.hex as usize;
                        let s = &mut acc.stats[k];
                        for &v in &row[start..end] {
                            if v != RSRP_NODATA && !v.is_nan() {
                                s.signal += 1;
                                s.sum_dbm += v as f64;
                                s.covered += covered(v) as u32;
                            }
                        }
                        if let Some(rr) = rate_row {
                            let t = &mut acc.tier_cells[k * nt..(k + 1) * nt];
                            for &v in &rr[start..end] {
                                if v != RSRP_NODATA && !v.is_nan() {
                                    s.rate_cells += 1;
                                    s.sum_mbps += v as f64;
                                    for (c, tier) in t.iter_mut().zip(tiers) {
                                        *c += (v as f64 >= *tier) as u32;
                                    }
                                }
                            }
                        }
                    }
                    start = end;
                }
                acc
            })
            .reduce(empty, |mut a, b| {
                for (x, y) in a.stats.iter_mut().zip(&b.stats) {
                    x.add(y);
                }
                for (x, y) in a.tier_cells.iter_mut().zip(&b.tier_cells) {
                    *x += y;
                }
                a
            }))
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
    /// DEM cells with a downlink rate, and the sum of their rates (Mbps).
    pub rate_cells: u32,
    pub sum_mbps: f64,
}

impl HexStats {
    fn add(&mut self, o: &HexStats) {
        self.covered += o.covered;
        self.signal += o.signal;
        self.sum_dbm += o.sum_dbm;
        self.rate_cells += o.rate_cells;
        self.sum_mbps += o.sum_mbps;
    }
}

/// Every hexagon's sums for one operator (or `any`).
#[derive(Debug, Clone, PartialEq)]
pub struct HexSums {
    pub stats: Vec<HexStats>,
    /// DEM cells at or above each speed tier, hexagon-major (`[hexagon × tiers + tier]`).
    pub tier_cells: Vec<u32>,
    pub tiers: usize,
    /// Whether a rate raster was folded in (without one the rate fields are unknown, not 0).
    pub rate: bool,
}

impl HexSums {
    /// Hexagon `k`'s cells at or above each tier (empty without a rate raster).
    pub fn tiers_of(&self, k: usize) -> &[u32] {
        if self.rate {
            &self.tier_cells[k * self.tiers..(k + 1) * self.tiers]
        } else {
            &[]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::h3::RESOLUTION;
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
    fn bisected_lookups_equal_every_lookup() {
        // 900 × 700 cells of 30 m around Sơn La town (≈ 780 hexagons, ~40,000 row crossings of a
        // hexagon border): the same runs whether the cells between differing ends are bisected or
        // all looked up.
        let dem = Grid::new(900, 700, GeoTransform { x0: 400_000.0, y0: 2_360_000.0, dx: 30.0, dy: 30.0 }, 500.0f32, None);
        let a = HexGrid::with_lookups(&dem, "EPSG:32648", RESOLUTION, &[], 32, Lookups::Bisect).unwrap();
        let b = HexGrid::with_lookups(&dem, "EPSG:32648", RESOLUTION, &[], 32, Lookups::Every).unwrap();
        assert!(a.hexes.len() > 500, "{} hexagons", a.hexes.len());
        assert_eq!(a.hexes, b.hexes);
        assert_eq!(a.runs, b.runs);
        assert_eq!(a.dem_cells, b.dem_cells);
    }

    /// The same on the province's DEM (38 M cells).
    #[test]
    #[ignore = "needs the generated demo DEM (`make data`); `make test` runs it with --include-ignored"]
    fn bisected_lookups_equal_every_lookup_on_the_demo_dem() {
        let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sonla/generated/dem.tif");
        assert!(input.exists(), "{} is not generated: run `make data`", input.display());
        let dem = crate::grid::io::read_raster_f32(&input, 1).unwrap().0;
        let a = HexGrid::with_lookups(&dem, "EPSG:32648", RESOLUTION, &[], LATTICE, Lookups::Bisect).unwrap();
        let b = HexGrid::with_lookups(&dem, "EPSG:32648", RESOLUTION, &[], LATTICE, Lookups::Every).unwrap();
        assert_eq!(a.hexes, b.hexes);
        assert!(a.runs == b.runs, "the runs differ");
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
    fn rate_fold_counts_speed_tiers_and_means() {
        // 120 × 90 cells of 30 m (≈ 13 hexagons): rates 0 / 6 / 30 Mbps by column mod 3, no rate on
        // the top 10 rows and where the RSRP has none; tiers 5 and 25 Mbps. Per hexagon, from the
        // runs' own assignment: rate cells, their sum, and cells ≥ 5 (the 6 and 30 columns) and ≥ 25
        // (the 30 column) — counted by hand below, as the indicators compare `v ≥ tier`.
        let (w, h) = (120usize, 90usize);
        let dem = Grid::new(w, h, GeoTransform { x0: 400_000.0, y0: 2_360_000.0, dx: 30.0, dy: 30.0 }, 500.0f32, None);
        let grid = HexGrid::with_lattice(&dem, "EPSG:32648", RESOLUTION, &[], 32).unwrap();
        let mut rsrp = dem.like(-95.0f32, Some(RSRP_NODATA));
        let mut rate = dem.like(RSRP_NODATA, Some(RSRP_NODATA));
        for r in 10..h {
            for c in 0..w {
                rate.set(c, r, [0.0, 6.0, 30.0][c % 3]);
            }
        }
        rsrp.set(5, 5, RSRP_NODATA);
        let tiers = [5.0, 25.0];
        let sums = grid.aggregate_with_rate(&rsrp, Some((&rate, &tiers)), |v| v >= -100.0).unwrap();
        assert!(sums.rate && sums.tiers == 2);
        let n = grid.hexes.len();
        let (mut cells, mut sum, mut t5, mut t25) = (vec![0u32; n], vec![0f64; n], vec![0u32; n], vec![0u32; n]);
        for r in 10..h {
            for c in 0..w {
                let k = grid.at(c, r).unwrap();
                let v = [0.0, 6.0, 30.0][c % 3];
                cells[k] += 1;
                sum[k] += v;
                t5[k] += (v >= 5.0) as u32;
                t25[k] += (v >= 25.0) as u32;
            }
        }
        for k in 0..n {
            let st = sums.stats[k];
            assert_eq!(st.rate_cells, cells[k], "hex {k}");
            assert!((st.sum_mbps - sum[k]).abs() < 1e-9, "hex {k}");
            assert_eq!(sums.tiers_of(k), [t5[k], t25[k]], "hex {k}");
        }
        // Totals: 120 × 80 rate cells of which two thirds ≥ 5 Mbps and one third ≥ 25; mean 12 Mbps.
        let total: u32 = sums.stats.iter().map(|s| s.rate_cells).sum();
        assert_eq!(total, 120 * 80);
        assert_eq!((0..n).map(|k| sums.tiers_of(k)[0]).sum::<u32>(), 80 * 80);
        assert_eq!((0..n).map(|k| sums.tiers_of(k)[1]).sum::<u32>(), 40 * 80);
        assert!((sums.stats.iter().map(|s| s.sum_mbps).sum::<f64>() / total as f64 - 12.0).abs() < 1e-9);
        // The RSRP sums are those of the plain fold; without a rate raster nothing is known of rates.
        let plain = grid.aggregate(&rsrp, |v| v >= -100.0).unwrap();
        assert!(plain.iter().zip(&sums.stats).all(|(a, b)| a.covered == b.covered && a.signal == b.signal && a.sum_dbm == b.sum_dbm));
        assert_eq!(plain.iter().map(|s| s.signal).sum::<u32>(), 120 * 90 - 1);
        let none = grid.aggregate_with_rate(&rsrp, None, |v| v >= -100.0).unwrap();
        assert!(!none.rate && none.tiers_of(0).is_empty() && none.stats.iter().all(|s| s.rate_cells == 0));
        // A raster of another shape is an error naming the layer.
        let small = Grid::new(10, 10, dem.transform, 0.0f32, Some(RSRP_NODATA));
        let e = grid.aggregate_with_rate(&rsrp, Some((&small, &tiers)), |_| true).unwrap_err().to_string();
        assert!(e.contains(LAYER) && e.contains("rate"), "{e}");
    }

    #[test]
    fn aggregation_counts_shares_and_means() {
        // A 300 × 200 grid of 30 m (≈ 80 hexagons): every cell's hexagon straight from PROJ and h3o
        // equals the runs' (strided look-ups, interpolated centres) but where the interpolation's
        // ≈ 7 mm moved a centre lying that close to an edge into the neighbour (a few in 100,000);
        // the per-hexagon sums equal a direct count: −100 / −110 dBm on alternate columns of the
        // west half, no signal on the east; covered where v ≥ −100.
        let (w, h, half) = (300usize, 200usize, 150usize);
        let mut dem = Grid::new(w, h, GeoTransform { x0: 400_000.0, y0: 2_360_000.0, dx: 30.0, dy: 30.0 }, 500.0f32, Some(-32768.0));
        dem.set(0, 0, -32768.0);
        dem.set(77, 31, -32768.0);
        let grid = HexGrid::with_lattice(&dem, "EPSG:32648", RESOLUTION, &[], 32).unwrap();
        let t = Transformer::new("EPSG:32648", "EPSG:4326").unwrap();
        let mut direct = vec![0u32; grid.hexes.len()];
        let mut west = vec![0u32; grid.hexes.len()];
        let mut moved = 0;
        for r in 0..h {
            for c in 0..w {
                if (c, r) == (0, 0) || (c, r) == (77, 31) {
                    assert_eq!(grid.at(c, r), None);
                    continue;
                }
                let (x, y) = dem.cell_center(c, r);
                let (lon, lat) = t.convert(x, y).unwrap();
                let exact = cell_at(lon, lat, RESOLUTION).unwrap();
                let k = grid.at(c, r).unwrap();
                if grid.hexes[k] != exact {
                    assert!(grid.hexes[k].is_neighbor_with(exact).unwrap(), "cell ({c}, {r}): {} vs {exact}", grid.hexes[k]);
                    moved += 1;
                }
                direct[k] += 1;
                west[k] += (c < half) as u32;
            }
        }
        assert!(moved * 10_000 <= w * h, "{moved} cells in a neighbouring hexagon");
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

}
