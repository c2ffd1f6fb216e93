//! One operator's network-quality pass, inside the coverage sweep: the operator's transmitters are
//! swept carrier by carrier (all sectors on one frequency — one EARFCN — at a time), each cell's N
//! strongest sectors kept in a [`TopNGrid`] while the same walk also feeds the operator's and the
//! province's best-server grids. After each carrier, every cell it serves best so far gets its SINR
//! (interference from that carrier's other kept sectors, [`super::sinr`]) and downlink rate
//! ([`super::throughput`]); a later carrier that serves a cell better overwrites it. Only one
//! carrier's top-N grid lives at a time.
//!
//! A sharded build splits this in two: each shard sweeps its group of sites carrier by carrier
//! ([`OperatorPass::sweep_carrier`], sectors numbered over all the operator's sites so every shard
//! numbers them alike) and keeps its top-N lists; the merge folds them ([`super::topn::fold`]) and
//! hands them, by blocks of rows, to [`OperatorPass::from_lists`], which computes the same SINR, rate
//! and per-point servers as [`OperatorPass::run`] from the same per-cell formulas.

use rayon::prelude::*;

use super::params::{QualityBand, QualityParams};
use super::sinr::{dbm_to_mw, noise_per_re_dbm};
use super::throughput::dl_mbps;
use super::topn::{list_sinr_db, pack, packs_below_dbm, quantized, unpack, TopNGrid};
use std::collections::HashMap;
use std::sync::Mutex;
use crate::coverage::best::{MaxGrid, RSRP_NODATA};
use crate::coverage::cut::CutRule;
use crate::coverage::engine::{sweep_sites_with, SweepInput, SweepStats};
use crate::coverage::sites::{PreparedSite, Transmitter};
use crate::coverage::points::swept_hits;
use crate::coverage::sweep::visit_cells;
use crate::error::{Error, Result};
use crate::grid::Grid;

/// A cell's servers from one transmitter offered to the top-N grid together (one lock, [`TopNGrid::offer_all`]).
const OFFER_BATCH: usize = 8;

/// A sector of the operator: its site (index in `Dataset::sites`) and sector id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SectorRef {
    pub site: usize,
    pub sector_id: i64,
}

/// A server at a point: RSRP (dBm, quantized to 0.01 dB) and its sector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Server {
    pub rsrp_dbm: f32,
    pub sector: SectorRef,
}

/// One operator's quality at one hamlet.
#[derive(Debug, Clone, PartialEq)]
pub struct PointQuality {
    /// NaN where no sector of the operator reaches the point.
    pub sinr_db: f32,
    pub dl_mbps: f32,
    pub serving: Option<Server>,
    /// The strongest other sector of the operator (any carrier).
    pub runner_up: Option<Server>,
}

impl PointQuality {
    /// Nothing known at the point.
    pub const NONE: PointQuality = PointQuality { sinr_db: f32::NAN, dl_mbps: f32::NAN, serving: None, runner_up: None };
}

/// Each swept transmitter's RSRP at the points: `(PreparedSite::index, [(point, dBm)])`.
pub type SiteHits = Vec<(usize, Vec<(u32, f32)>)>;

/// The pass's products for one operator.
pub struct OperatorQuality {
    /// SINR (dB) and downlink rate (Mbps) rasters, nodata [`RSRP_NODATA`].
    pub sinr: Grid<f32>,
    pub dl_mbps: Grid<f32>,
    /// In the order of the `points` given to [`OperatorPass::new`].
    pub points: Vec<PointQuality>,
    /// Every transmitter's RSRP at the points, read from its sweep ([`crate::coverage::points::swept_hits`]):
    /// `(PreparedSite::index, hits)`, for the hamlet signal table the risk stage asks; `None` when
    /// the pass did not sweep (a merge's lists).
    pub site_hits: Option<SiteHits>,
}

/// Every sector of the operator numbered (u16, the top-N grid's sector index), per site in order.
pub struct OperatorPass<'a> {
    q: &'a QualityParams,
    sectors: Vec<SectorRef>,
    /// Index of each site's first sector in `sectors`, by the site's index in `Dataset::sites`.
    site_base: HashMap<usize, usize>,
    /// The carriers (MHz), each with its channel.
    carriers: Vec<(f64, QualityBand)>,
    /// The reach rule of its sweeps ([`crate::coverage::cut`]; off unless [`Self::with_cut`]).
    cut: CutRule,
}

/// Each carrier's top-N lists per cell, by blocks of rows: what a merged build reads from the shards'
/// partial results for [`OperatorPass::from_lists`]. Blocks are asked for in parallel.
pub trait CarrierLists: Sync {
    /// Rows per block (the last block may have fewer).
    fn block_rows(&self) -> usize;
    /// The lists of carrier `carrier` (its index in [`OperatorPass::carriers`]) for the cells of rows
    /// `r0 .. r0 + rows`, row-major, N entries a cell as [`TopNGrid::list`] gives them, into `out`
    /// (zeroed by the caller).
    fn block(&self, carrier: usize, r0: usize, rows: usize, out: &mut [u32]) -> Result<()>;
}

/// The carriers of a site (distinct frequencies of its transmitters).
fn carriers_of(site: &PreparedSite) -> Vec<f64> {
    let mut f: Vec<f64> = site.txs.iter().map(|t| t.f_mhz).collect();
    f.sort_by(|a, b| a.total_cmp(b));
    f.dedup();
    f
}

/// Units of progress of a quality sweep over `sites`: one per site and carrier.
pub fn progress_units(sites: &[PreparedSite]) -> u64 {
    sites.iter().map(|s| carriers_of(s).len() as u64).sum()
}

impl<'a> OperatorPass<'a> {
    /// Number the operator's sectors and find each carrier's channel; `source` names the dataset in
    /// errors (a carrier outside every `[coverage.quality]` band, more than 65,535 sectors).
    pub fn new(sites: &[&PreparedSite], q: &'a QualityParams, source: &str) -> Result<Self> {
        let mut sectors = Vec::new();
        let mut site_base = HashMap::with_capacity(sites.len());
        let mut carriers: Vec<(f64, QualityBand)> = Vec::new();
        for s in sites {
            site_base.insert(s.index, sectors.len());
            for tx in &s.txs {
                let band = q.band_for(tx.f_mhz).ok_or_else(|| {
                    Error::feature(
                        source,
                        "sectors",
                        format!("site {}", s.label),
                        format!(
                            "carrier {} MHz is in no [coverage.quality] band ({})",
                            tx.f_mhz,
                            q.bands.iter().map(|b| format!("{}–{} MHz", b.min_mhz, b.max_mhz)).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
                if !carriers.iter().any(|c| c.0 == tx.f_mhz) {
                    carriers.push((tx.f_mhz, band.clone()));
                }
                sectors.extend(tx.sectors.iter().map(|r| SectorRef { site: s.index, sector_id: r.sector_id }));
            }
        }
        if sectors.len() >= 0xFFFF {
            return Err(Error::feature(source, "sectors", sites[0].operator.as_str(), "more than 65,534 sectors in one operator"));
        }
        carriers.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Self { q, sectors, site_base, carriers, cut: CutRule::Off })
    }

    /// The pass sweeping under the reach rule `cut` (a build: cells that cannot reach the reach floor
    /// are left out, the hamlets' cells kept).
    pub fn with_cut(self, cut: CutRule) -> Self {
        Self { cut, ..self }
    }

    /// The carriers (MHz, ascending), each with its channel: the order the pass sweeps them in.
    pub fn carriers(&self) -> &[(f64, QualityBand)] {
        &self.carriers
    }

    /// The number of sectors numbered (the top-N entries' sector indices are below it).
    pub fn sector_count(&self) -> usize {
        self.sectors.len()
    }

    /// N, the servers kept per cell.
    pub fn servers(&self) -> usize {
        self.q.servers
    }

    /// The sector index of the first sector of `tx` (a transmitter of `site`, a site of the pass).
    fn tx_base(&self, site: &PreparedSite, tx: &Transmitter) -> usize {
        let mut b = *self.site_base.get(&site.index).expect("a site of the pass");
        for t in &site.txs {
            if std::ptr::eq(t, tx) {
                break;
            }
            b += t.sectors.len();
        }
        b
    }

    /// An empty top-N grid for the DEM's cells and this pass's N servers.
    pub fn top_grid(&self, dem: &Grid<f32>) -> TopNGrid {
        TopNGrid::new(dem.len(), self.q.servers)
    }

    /// Sweep carrier `f_mhz` of `sites` (all or some of the sites given to [`OperatorPass::new`]) into
    /// `top`, an empty top-N grid of its sectors ([`Self::top_grid`], or the previous carrier's
    /// [`TopNGrid::clear`]ed: the province's is 600 MB, reused rather than faulted in and zeroed
    /// again per carrier): `best` gets each cell's best sector (RSRP ≥ the floor) and `emit` every
    /// such value as [`crate::coverage::engine::sweep_sites`] would. The receiver's clutter loss
    /// is in the visited sample already ([`crate::coverage::sweep::at_receiver`]), so every sector's
    /// value there carries it once. With `hits`, each transmitter's hits at the DEM cells `points`
    /// (indices) are also read into it.
    #[allow(clippy::too_many_arguments)]
    pub fn sweep_carrier<E, T>(
        &self,
        top: &TopNGrid,
        f_mhz: f64,
        input: SweepInput<'_>,
        best: &MaxGrid,
        emit: E,
        tick: T,
        hits: Option<(&[usize], &Mutex<SiteHits>)>,
    ) -> Result<SweepStats>
    where
        E: Fn(usize, f32, &PreparedSite) + Sync,
        T: Fn() + Sync,
    {
        let dem = input.dem;
        debug_assert_eq!((top.cells(), top.n()), (dem.len(), self.q.servers));
        let floor = input.params.min_rsrp_dbm as f32;
        let stats = sweep_sites_with(
            input,
            &self.cut,
            |tx| tx.f_mhz == f_mhz,
            |site, tx, plan, sc| {
                let base = self.tx_base(site, tx);
                if let Some((points, out)) = hits {
                    let h = swept_hits(dem, tx, plan, sc, points, floor);
                    out.lock().unwrap_or_else(|p| p.into_inner()).push((site.index, h));
                }
                visit_cells(tx, plan, sc, dem, |i, c, smp| {
                    // A pattern only attenuates (≥ 0 dB) and f32 rounding is monotone, so no sector
                    // exceeds max EIRP − loss: below the floor, the cell gets nothing from this
                    // transmitter — decided without its patterns.
                    if tx.max_eirp_dbm - smp.loss_db < floor {
                        return;
                    }
                    // A server under the list's weakest would be rejected: not packed (a division).
                    let lim = packs_below_dbm(top.weakest(i)).max(floor);
                    let mut b = f32::NEG_INFINITY;
                    let mut es = [0u32; OFFER_BATCH];
                    let mut m = 0;
                    for (k, sec) in tx.sectors.iter().enumerate() {
                        let v = sec.eirp_dbm - sec.pattern.attenuation_db(c.az_deg, c.sin_az, c.cos_az, smp.dep_deg) - smp.loss_db;
                        if v >= lim {
                            if m == OFFER_BATCH {
                                top.offer_all(i, &es);
                                m = 0;
                            }
                            es[m] = pack(v, (base + k) as u16);
                            m += 1;
                        }
                        b = b.max(v);
                    }
                    if m > 0 {
                        top.offer_all(i, &es[..m]);
                    }
                    if b >= floor {
                        best.update(i, b);
                        emit(i, b, site);
                    }
                })
            },
            &tick,
        )?;
        Ok(stats)
    }

    /// Sweep the operator's `sites` (the list given to [`OperatorPass::new`]) carrier by carrier
    /// ([`Self::sweep_carrier`]), with SINR and rate after each; `points` are DEM cell indices
    /// (hamlets) whose servers are reported. `top` is an empty top-N grid ([`Self::top_grid`], or
    /// an earlier pass's [`TopNGrid::clear`]ed — one grid for every operator of a build instead of
    /// 600 MB faulted in and zeroed again per operator; one of another shape is replaced); it holds
    /// the last carrier's lists after.
    pub fn run<E, T>(
        &self,
        top: &mut TopNGrid,
        input: SweepInput<'_>,
        best: &MaxGrid,
        points: &[usize],
        emit: E,
        tick: T,
    ) -> Result<(OperatorQuality, SweepStats)>
    where
        E: Fn(usize, f32, &PreparedSite) + Sync,
        T: Fn() + Sync,
    {
        let (n, dem) = (self.q.servers, input.dem);
        let mut sinr = crate::grid::filled(dem.len(), RSRP_NODATA);
        let mut rate = crate::grid::filled(dem.len(), RSRP_NODATA);
        let mut cands: Vec<Vec<Server>> = vec![Vec::new(); points.len()];
        let mut stats = SweepStats::default();
        let hits = Mutex::new(Vec::new());
        if (top.cells(), top.n()) != (dem.len(), n) {
            *top = self.top_grid(dem);
        }
        for (k, (f, band)) in self.carriers.iter().enumerate() {
            if k > 0 {
                top.clear();
            }
            let s = self.sweep_carrier(top, *f, input, best, &emit, &tick, Some((points, &hits)))?;
            stats.add(s);
            self.finish_carrier(band, top, best, &mut sinr, &mut rate);
            let mut l = vec![0u32; n];
            for (h, &i) in points.iter().enumerate() {
                top.list(i, &mut l);
                self.candidates(&l, &mut cands[h]);
            }
        }
        let mut q = self.quality(dem, sinr, rate, points, cands);
        q.site_hits = Some(hits.into_inner().unwrap_or_else(|p| p.into_inner()));
        Ok((q, stats))
    }

    /// The pass's products from each carrier's top-N lists given by blocks of rows (a merged build's
    /// folded shard lists): the same SINR, rate and per-point servers [`Self::run`] computes from
    /// its own sweep. A cell takes the carrier whose strongest entry is the strongest of the carriers
    /// so far, in 0.01 dB steps, as [`Self::run`]'s test against the running best does (quantizing is
    /// monotone, so the step of the best RSRP is the largest step of the carriers' strongest entries).
    /// Memory: the two rasters plus one block of lists per thread.
    pub fn from_lists(&self, dem: &Grid<f32>, points: &[usize], lists: &dyn CarrierLists) -> Result<OperatorQuality> {
        let n = self.q.servers;
        let w = dem.width;
        let block = lists.block_rows().max(1) * w;
        let mut sinr = vec![RSRP_NODATA; dem.len()];
        let mut rate = vec![RSRP_NODATA; dem.len()];
        let noise: Vec<f64> = self.carriers.iter().map(|(_, b)| self.noise(b)).collect();
        let per_block: Vec<Vec<(usize, Vec<Server>)>> = sinr
            .par_chunks_mut(block)
            .zip(rate.par_chunks_mut(block))
            .enumerate()
            .map(|(b, (s, r))| -> Result<Vec<(usize, Vec<Server>)>> {
                let (c0, cells) = (b * block, s.len());
                let mut mine: Vec<(usize, Vec<Server>)> =
                    points.iter().enumerate().filter(|(_, &i)| i >= c0 && i < c0 + cells).map(|(h, _)| (h, Vec::new())).collect();
                let mut best = vec![0u32; cells];
                let mut l = vec![0u32; cells * n];
                for (c, (_, band)) in self.carriers.iter().enumerate() {
                    l.fill(0);
                    lists.block(c, c0 / w, cells / w, &mut l)?;
                    for j in 0..cells {
                        let e = &l[j * n..(j + 1) * n];
                        if e[0] == 0 {
                            continue;
                        }
                        best[j] = best[j].max(e[0] >> 16);
                        if best[j] > e[0] >> 16 {
                            continue;
                        }
                        (s[j], r[j]) = self.cell_quality(band, noise[c], e);
                    }
                    for (h, cands) in &mut mine {
                        let j = points[*h] - c0;
                        self.candidates(&l[j * n..(j + 1) * n], cands);
                    }
                }
                Ok(mine)
            })
            .collect::<Result<_>>()?;
        let mut cands: Vec<Vec<Server>> = vec![Vec::new(); points.len()];
        for (h, c) in per_block.into_iter().flatten() {
            cands[h] = c;
        }
        Ok(self.quality(dem, sinr, rate, points, cands))
    }

    /// A point's candidate servers from one carrier's list: its two strongest (the serving sector and
    /// the runner-up are among the first two of some carrier).
    fn candidates(&self, list: &[u32], out: &mut Vec<Server>) {
        for e in list.iter().take(2) {
            if let Some((v, k)) = unpack(*e) {
                out.push(Server { rsrp_dbm: v, sector: self.sectors[k as usize] });
            }
        }
    }

    /// The rasters and the points' quality (candidates in carrier order; a stable sort keeps it for
    /// equal RSRP).
    fn quality(&self, dem: &Grid<f32>, sinr: Vec<f32>, rate: Vec<f32>, points: &[usize], cands: Vec<Vec<Server>>) -> OperatorQuality {
        let g = |data| Grid { width: dem.width, height: dem.height, transform: dem.transform, nodata: Some(RSRP_NODATA), data };
        let (sinr, rate) = (g(sinr), g(rate));
        let points = points
            .iter()
            .zip(cands)
            .map(|(&i, mut c)| {
                c.sort_by(|a, b| b.rsrp_dbm.total_cmp(&a.rsrp_dbm));
                let nan = |v: f32| if v == RSRP_NODATA { f32::NAN } else { v };
                PointQuality { sinr_db: nan(sinr.data[i]), dl_mbps: nan(rate.data[i]), serving: c.first().copied(), runner_up: c.get(1).copied() }
            })
            .collect();
        OperatorQuality { sinr, dl_mbps: rate, points, site_hits: None }
    }

    /// Thermal noise power per RE (mW) of a carrier's channel.
    fn noise(&self, band: &QualityBand) -> f64 {
        dbm_to_mw(noise_per_re_dbm(band.bandwidth_mhz, band.resource_blocks(), self.q.noise_figure_db))
    }

    /// SINR (dB) and rate (Mbps) of a cell served by its list's first entry, interfered by the rest
    /// (`noise_mw`: the carrier's noise power, computed once).
    #[inline]
    fn cell_quality(&self, band: &QualityBand, noise_mw: f64, list: &[u32]) -> (f32, f32) {
        let x = list_sinr_db(list, self.q.load, noise_mw);
        (x as f32, dl_mbps(x, band, self.q) as f32)
    }

    /// SINR and rate of every cell this carrier serves at least as well as the operator's carriers
    /// swept so far (its strongest kept sector equals the operator's best RSRP there).
    fn finish_carrier(&self, band: &QualityBand, top: &TopNGrid, best: &MaxGrid, sinr: &mut [f32], rate: &mut [f32]) {
        let noise = self.noise(band);
        let n = top.n();
        sinr.par_chunks_mut(4096).zip(rate.par_chunks_mut(4096)).enumerate().for_each(|(ch, (s, r))| {
            let mut l = vec![0u32; n];
            for j in 0..s.len() {
                let i = ch * 4096 + j;
                top.list(i, &mut l);
                if l[0] == 0 || best.get(i).is_some_and(|b| quantized(b) > l[0] >> 16) {
                    continue;
                }
                (s[j], r[j]) = self.cell_quality(band, noise, &l);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::topn::fold;
    use super::*;
    use crate::coverage::params::CoverageParams;
    use crate::coverage::sites::prepare_sites;
    use crate::coverage::synthetic::{mini_province, three_sector_site};

    /// Folded lists held in memory, by carrier: N entries a cell over the whole grid.
    struct Folded {
        width: usize,
        n: usize,
        rows: usize,
        carriers: Vec<Vec<u32>>,
    }

    impl CarrierLists for Folded {
        fn block_rows(&self) -> usize {
            self.rows
        }
        fn block(&self, carrier: usize, r0: usize, rows: usize, out: &mut [u32]) -> Result<()> {
            let a = r0 * self.width * self.n;
            out.copy_from_slice(&self.carriers[carrier][a..a + rows * self.width * self.n]);
            Ok(())
        }
    }

    #[test]
    fn carrier_sweep_equals_the_per_sector_fold() {
        // The visit before its early exit (max EIRP − loss below the floor), the rejection against
        // the list's weakest before packing, the batched offers and the libm-free rounding: every
        // sector's value offered alone, packed with `f32::round`, the best sector into the grids. Both over the mini province's operator "alpha" (a floor of −120
        // dBm so the early exit is taken): the same top-N lists, operator grid and best-server grid.
        use crate::coverage::best::BestServerGrid;
        use crate::coverage::engine::sweep_sites_with;
        let ds = mini_province(11);
        let params = CoverageParams { max_radius_m: 8000.0, min_rsrp_dbm: -120.0, ..Default::default() };
        let all = prepare_sites(&ds, &params).unwrap();
        let sites: Vec<&PreparedSite> = all.iter().filter(|s| s.operator == "alpha").collect();
        let pass = OperatorPass::new(&sites, &params.quality, &ds.name).unwrap();
        let input = SweepInput { dem: &ds.dem, sites: &sites, params: &params, source: &ds.name };
        let floor = params.min_rsrp_dbm as f32;
        let n = params.quality.servers;
        let pack_before = |v: f32, sector: u16| {
            let q = (((v + 200.0) / 0.01).round()).clamp(1.0, 65_535.0) as u32;
            (q << 16) | (0xFFFF - sector as u32)
        };
        let (mut cells, mut kept) = (0usize, 0usize);
        for (f, _) in pass.carriers() {
            let (best, any) = (MaxGrid::new(ds.dem.len()), BestServerGrid::new(ds.dem.len()));
            let top = pass.top_grid(&ds.dem);
            pass.sweep_carrier(&top, *f, input, &best, |i, v, s| any.update(i, v, s.index as u32), || {}, None).unwrap();
            let (rbest, rany, rtop) = (MaxGrid::new(ds.dem.len()), BestServerGrid::new(ds.dem.len()), TopNGrid::new(ds.dem.len(), n));
            sweep_sites_with(
                input,
                &CutRule::Off,
                |tx| tx.f_mhz == *f,
                |site, tx, plan, sc| {
                    let base = pass.tx_base(site, tx);
                    visit_cells(tx, plan, sc, &ds.dem, |i, c, smp| {
                        let mut b = f32::NEG_INFINITY;
                        for (k, sec) in tx.sectors.iter().enumerate() {
                            let v = sec.eirp_dbm - sec.pattern.attenuation_db(c.az_deg, c.sin_az, c.cos_az, smp.dep_deg) - smp.loss_db;
                            if v >= floor {
                                rtop.offer(i, pack_before(v, (base + k) as u16));
                            }
                            b = b.max(v);
                        }
                        if b >= floor {
                            rbest.update(i, b);
                            rany.update(i, b, site.index as u32);
                        }
                    })
                },
                || {},
            )
            .unwrap();
            let (mut a, mut b) = (vec![0u32; n], vec![0u32; n]);
            for i in 0..ds.dem.len() {
                top.list(i, &mut a);
                rtop.list(i, &mut b);
                assert_eq!(a, b, "{f} MHz, cell {i}");
                assert_eq!(best.get(i).map(f32::to_bits), rbest.get(i).map(f32::to_bits), "cell {i}");
                assert_eq!(any.get(i).map(|(v, s)| (v.to_bits(), s)), rany.get(i).map(|(v, s)| (v.to_bits(), s)), "cell {i}");
                cells += best.get(i).is_some() as usize;
                kept += a.iter().filter(|e| **e != 0).count();
            }
        }
        assert!(cells > 50_000 && kept > cells, "{cells} {kept}");
    }

    #[test]
    fn groups_swept_apart_and_folded_give_the_one_pass_quality_bit_for_bit() {
        // The mini province's operator "alpha" (1800 and 900 MHz carriers) with two more sites: one
        // the twin of site 1 (equal RSRP everywhere: ties between sectors of different groups) and
        // one more at 900 MHz. Its sites are split into 1, 2 and 3 groups (as shards split them),
        // each swept alone per carrier; the groups' lists folded in reverse order must give the
        // one-pass SINR, rate and hamlet servers exactly.
        let mut ds = mini_province(5);
        let (x, y) = (ds.sites[0].pos.x(), ds.sites[0].pos.y());
        let mut twin = three_sector_site(7, "alpha", x, y, 30.0, 1800.0);
        twin.ground_m = ds.sites[0].ground_m;
        ds.sites.push(twin);
        let (x, y) = (ds.sites[1].pos.x() - 2500.0, ds.sites[1].pos.y() - 3000.0);
        let mut more = three_sector_site(8, "alpha", x, y, 30.0, 900.0);
        more.ground_m = ds.dem.sample_bilinear(x, y).unwrap_or(0.0);
        ds.sites.push(more);
        let params = CoverageParams { max_radius_m: 8000.0, ..Default::default() };
        let all = prepare_sites(&ds, &params).unwrap();
        let sites: Vec<&PreparedSite> = all.iter().filter(|s| s.operator == "alpha").collect();
        assert_eq!(sites.len(), 5);
        let points: Vec<usize> = ds.hamlets.iter().map(|h| {
            let (c, r) = ds.dem.cell_of(h.pos.x(), h.pos.y()).unwrap();
            r * ds.dem.width + c
        }).collect();
        let pass = OperatorPass::new(&sites, &params.quality, &ds.name).unwrap();
        assert_eq!(pass.carriers().len(), 2);
        let best = MaxGrid::new(ds.dem.len());
        let input = SweepInput { dem: &ds.dem, sites: &sites, params: &params, source: &ds.name };
        let (one, _) = pass.run(&mut pass.top_grid(&ds.dem), input, &best, &points, |_, _, _| {}, || {}).unwrap();
        let n = params.quality.servers;
        let mut ties = 0;
        // One grid for every group and carrier, cleared between them (as a build reuses it).
        let mut top = pass.top_grid(&ds.dem);
        for groups in 1..=3 {
            let mut carriers = vec![vec![0u32; ds.dem.len() * n]; pass.carriers().len()];
            for g in (0..groups).rev() {
                let mine: Vec<&PreparedSite> = sites.iter().copied().enumerate().filter(|(k, _)| k % groups == g).map(|(_, s)| s).collect();
                let b = MaxGrid::new(ds.dem.len());
                for (c, (f, _)) in pass.carriers().iter().enumerate() {
                    top.clear();
                    pass.sweep_carrier(&top, *f, SweepInput { sites: &mine, ..input }, &b, |_, _, _| {}, || {}, None).unwrap();
                    let mut l = vec![0u32; n];
                    for i in 0..ds.dem.len() {
                        top.list(i, &mut l);
                        fold(&mut carriers[c][i * n..(i + 1) * n], &l);
                    }
                }
            }
            if groups == 2 {
                ties = carriers[1].chunks(n).filter(|l| l[0] != 0 && l[0] >> 16 == l[1] >> 16).count();
            }
            let lists = Folded { width: ds.dem.width, n, rows: 7, carriers };
            let merged = pass.from_lists(&ds.dem, &points, &lists).unwrap();
            let bits = |g: &Grid<f32>| g.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert!(bits(&one.sinr) == bits(&merged.sinr), "{groups} groups: SINR differs");
            assert!(bits(&one.dl_mbps) == bits(&merged.dl_mbps), "{groups} groups: rate differs");
            assert_eq!(format!("{:?}", one.points), format!("{:?}", merged.points), "{groups} groups");
        }
        // The twin sites make equal-RSRP entries; both carriers give cells a value.
        assert!(ties > 1000, "{ties}");
        assert!(one.sinr.data.iter().filter(|v| **v != RSRP_NODATA).count() > 50_000);
        assert!(one.points.iter().filter(|p| p.runner_up.is_some()).count() > 40);
    }
}
