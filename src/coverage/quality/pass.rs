//! One operator's network-quality pass, inside the coverage sweep: the operator's transmitters are
//! swept carrier by carrier (all sectors on one frequency — one EARFCN — at a time), each cell's N
//! strongest sectors kept in a [`TopNGrid`] while the same walk also feeds the operator's and the
//! province's best-server grids. After each carrier, every cell it serves best so far gets its SINR
//! (interference from that carrier's other kept sectors, [`super::sinr`]) and downlink rate
//! ([`super::throughput`]); a later carrier that serves a cell better overwrites it. Only one
//! carrier's top-N grid lives at a time.

use rayon::prelude::*;

use super::params::{QualityBand, QualityParams};
use super::sinr::{noise_per_re_dbm, sinr_db};
use super::throughput::dl_mbps;
use super::topn::{pack, quantized, unpack, TopNGrid};
use crate::coverage::best::{MaxGrid, RSRP_NODATA};
use crate::coverage::engine::{sweep_sites_with, SweepStats};
use crate::coverage::params::CoverageParams;
use crate::coverage::sites::{PreparedSite, Transmitter};
use crate::coverage::sweep::visit_cells;
use crate::error::{Error, Result};
use crate::grid::Grid;

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

/// The pass's products for one operator.
pub struct OperatorQuality {
    /// SINR (dB) and downlink rate (Mbps) rasters, nodata [`RSRP_NODATA`].
    pub sinr: Grid<f32>,
    pub dl_mbps: Grid<f32>,
    /// In the order of the `points` given to [`OperatorPass::new`].
    pub points: Vec<PointQuality>,
}

/// Every sector of the operator numbered (u16, the top-N grid's sector index), per site in order.
pub struct OperatorPass<'a> {
    q: &'a QualityParams,
    sectors: Vec<SectorRef>,
    /// Index of each site's first sector in `sectors`, by position in the pass's site list.
    site_base: Vec<usize>,
    /// The carriers (MHz), each with its channel.
    carriers: Vec<(f64, QualityBand)>,
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
        let mut site_base = Vec::with_capacity(sites.len());
        let mut carriers: Vec<(f64, QualityBand)> = Vec::new();
        for s in sites {
            site_base.push(sectors.len());
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
        Ok(Self { q, sectors, site_base, carriers })
    }

    /// The sector index of the first sector of `tx` (a transmitter of the pass's site at `pos`).
    fn tx_base(&self, pos: usize, site: &PreparedSite, tx: &Transmitter) -> usize {
        let mut b = self.site_base[pos];
        for t in &site.txs {
            if std::ptr::eq(t, tx) {
                break;
            }
            b += t.sectors.len();
        }
        b
    }

    /// Sweep the operator's `sites` (the list given to [`OperatorPass::new`]) carrier by carrier:
    /// `best` gets each cell's best sector (RSRP ≥ the floor) and `emit` every such value as
    /// [`crate::coverage::engine::sweep_sites`] would; `points` are DEM cell indices (hamlets) whose
    /// servers are reported. The receiver's clutter loss is in the visited sample already
    /// ([`crate::coverage::sweep::at_receiver`]), so every sector's value there carries it once.
    #[allow(clippy::too_many_arguments)]
    pub fn run<E, T>(
        &self,
        dem: &Grid<f32>,
        sites: &[&PreparedSite],
        params: &CoverageParams,
        source: &str,
        best: &MaxGrid,
        points: &[usize],
        emit: E,
        tick: T,
    ) -> Result<(OperatorQuality, SweepStats)>
    where
        E: Fn(usize, f32, &PreparedSite) + Sync,
        T: Fn() + Sync,
    {
        let n = self.q.servers;
        let floor = params.min_rsrp_dbm as f32;
        let pos_of = |site: &PreparedSite| sites.iter().position(|s| std::ptr::eq(*s, site)).expect("a site of the pass");
        let mut sinr = vec![RSRP_NODATA; dem.len()];
        let mut rate = vec![RSRP_NODATA; dem.len()];
        let mut cands: Vec<Vec<Server>> = vec![Vec::new(); points.len()];
        let mut stats = SweepStats::default();
        for (f, band) in &self.carriers {
            let top = TopNGrid::new(dem.len(), n);
            let s = sweep_sites_with(
                dem,
                sites,
                params,
                source,
                |tx| tx.f_mhz == *f,
                |site, tx, plan, sc| {
                    let base = self.tx_base(pos_of(site), site, tx);
                    visit_cells(tx, plan, sc, dem, |i, c, smp| {
                        let mut b = f32::NEG_INFINITY;
                        for (k, sec) in tx.sectors.iter().enumerate() {
                            let v = sec.eirp_dbm - sec.pattern.attenuation_db(c.az_deg, c.sin_az, c.cos_az, smp.dep_deg) - smp.loss_db;
                            if v >= floor {
                                top.offer(i, pack(v, (base + k) as u16));
                            }
                            b = b.max(v);
                        }
                        if b >= floor {
                            best.update(i, b);
                            emit(i, b, site);
                        }
                    })
                },
                &tick,
            )?;
            stats.add(s);
            self.finish_carrier(band, &top, best, &mut sinr, &mut rate);
            for (h, &i) in points.iter().enumerate() {
                let mut l = vec![0u32; n];
                top.list(i, &mut l);
                for e in l.iter().take(2) {
                    if let Some((v, k)) = unpack(*e) {
                        cands[h].push(Server { rsrp_dbm: v, sector: self.sectors[k as usize] });
                    }
                }
            }
        }
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
        Ok((OperatorQuality { sinr, dl_mbps: rate, points }, stats))
    }

    /// SINR and rate of every cell this carrier serves at least as well as the operator's carriers
    /// swept so far (its strongest kept sector equals the operator's best RSRP there).
    fn finish_carrier(&self, band: &QualityBand, top: &TopNGrid, best: &MaxGrid, sinr: &mut [f32], rate: &mut [f32]) {
        let q = self.q;
        let noise = noise_per_re_dbm(band.bandwidth_mhz, band.resource_blocks(), q.noise_figure_db);
        let n = top.n();
        sinr.par_chunks_mut(4096).zip(rate.par_chunks_mut(4096)).enumerate().for_each(|(ch, (s, r))| {
            let mut l = vec![0u32; n];
            for j in 0..s.len() {
                let i = ch * 4096 + j;
                top.list(i, &mut l);
                let Some((v0, _)) = unpack(l[0]) else { continue };
                if best.get(i).is_some_and(|b| quantized(b) > l[0] >> 16) {
                    continue;
                }
                let x = sinr_db(v0 as f64, l[1..].iter().filter_map(|e| unpack(*e)).map(|(v, _)| v as f64), q.load, noise);
                s[j] = x as f32;
                r[j] = dl_mbps(x, band, q) as f32;
            }
        });
    }
}
