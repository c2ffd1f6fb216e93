//! One transmitter's radial sweep and the lookup of a cell's value in it. The sweep walks every
//! radial band by band ([`super::radial`]) into one buffer of samples (radial-major, reused across
//! transmitters); a cell centre then takes its nearest sample: the sample index from its distance,
//! the radial from its azimuth among the radials alive at that distance. [`eval_cell_chain`] gives the
//! same value for a single cell by walking only the radial chain that leads to it — bit for bit the
//! same operations as the full sweep — which is how hamlets are evaluated without a raster.

use crate::radio::itm::{ItmError, ItmScratch};
use crate::radio::Propagation;
use super::profile::{Profile, Sample, WalkState};
use super::radial::RadialPlan;
use super::sites::Transmitter;
use super::cut::ReachCut;
use super::locate::locate_cells;
pub use super::locate::{for_each_located, locate, CellRef};

/// Reusable per-thread buffers (no allocation per cell or per sample once warm).
#[derive(Default)]
pub struct Scratch {
    buf: Vec<Sample>,
    states: Vec<WalkState>,
    state: WalkState,
    row: Vec<Sample>,
    /// ITM: one radial's elevations, and the model's own buffers.
    pub(crate) elev: Vec<f32>,
    pub(crate) itm: Option<ItmScratch>,
    /// Which samples some cell takes, one bit per sample, radial-major ([`sweep_tx`]).
    pub(crate) needed: Vec<u64>,
    /// The per-cell reach rule for the transmitter being swept ([`super::cut`]; off unless the
    /// engine prepared it).
    pub(crate) cut: ReachCut,
    /// Per radial: the last sample the marked walk must reach (its own cells' and its descendants').
    last: Vec<usize>,
    /// The cells [`mark_needed`] located, for [`visit_cells`] to read instead of locating again.
    pub(crate) located: LocatedCells,
}

/// The cells a transmitter's [`mark_needed`] located and let through its reach rule, in
/// [`for_each_located`]'s order: [`visit_cells`] then locates only these again instead of every cell
/// of the disc and its rule — in the province build about seven of ten cells located fail the rule
/// (1,353 M located, 404 M kept), and each costs a square root, an arc tangent and the rule's
/// look-ups. Only the cell's position and its sample's place are kept (12 bytes): the full located
/// cell would be 24, and the list of the largest transmitter is alive in every worker at the sweep's
/// memory peak. Valid only
/// for the transmitter, plan, grid and rule of the last marking; any other sweep clears it.
#[derive(Default)]
pub(crate) struct LocatedCells {
    cells: Vec<Located>,
    valid: bool,
}

/// A located cell's column and row, and where its sample is in the buffer — for the visit to
/// prefetch: the samples a tile's cells take lie on dozens of radials, rows of the buffer far apart,
/// and waiting for them was about a third of the visit's time.
#[derive(Clone, Copy)]
struct Located {
    col: u32,
    row: u32,
    at: u32,
}

impl LocatedCells {
    /// Forget the list (a sweep that did not mark).
    pub(crate) fn clear(&mut self) {
        self.cells.clear();
        self.valid = false;
    }
}

impl Scratch {
    /// The sample buffer of a plan (radial-major, `plan.n + 1` per radial), grown as needed.
    pub(crate) fn buffer(&mut self, plan: &RadialPlan) -> &mut [Sample] {
        let total = plan.n_final * (plan.n + 1);
        if self.buf.len() < total {
            self.buf.resize(total, Sample::NONE);
        }
        &mut self.buf[..total]
    }
}

/// Fill `sc`'s buffer with every sample of every radial of `plan`.
pub fn sweep(prof: &Profile, plan: &RadialPlan, sc: &mut Scratch) {
    sc.cut.off();
    sc.located.clear();
    sweep_impl(prof, plan, sc, false)
}

/// [`sweep`], or with `marked` the loss only at the samples whose bit is set in `sc.needed`
/// ([`Profile::walk_marked`]; the others keep whatever the buffer held).
fn sweep_impl(prof: &Profile, plan: &RadialPlan, sc: &mut Scratch, marked: bool) {
    let row = plan.n + 1;
    sc.buffer(plan);
    if sc.states.len() < plan.n_final {
        sc.states.resize_with(plan.n_final, WalkState::default);
    }
    if marked {
        last_needed(plan, &sc.needed, &mut sc.last);
    }
    for l in 0..=plan.lmax {
        let stride = 1usize << (plan.lmax - l);
        if l == 0 {
            for i in (0..plan.n_final).step_by(stride) {
                prof.start(&mut sc.states[i]);
            }
        } else {
            // Radials born at this level copy their parent's state (split borrow: parent < child).
            for i in (stride..plan.n_final).step_by(2 * stride) {
                let (lo, hi) = sc.states.split_at_mut(i);
                hi[0].copy_from(&lo[i - stride]);
            }
        }
        let (a, b) = plan.band(l);
        if a > b {
            continue;
        }
        for i in (0..plan.n_final).step_by(stride) {
            let out = &mut sc.buf[i * row..(i + 1) * row];
            if marked {
                // Past its last needed sample a radial's walk serves no cell and no descendant.
                let b = b.min(sc.last[i]);
                if a > b {
                    continue;
                }
                let wpr = words_per_radial(plan);
                prof.walk_marked(plan.azimuth(i), a, b, &mut sc.states[i], out, &sc.needed[i * wpr..(i + 1) * wpr]);
            } else {
                prof.walk(plan.azimuth(i), a, b, &mut sc.states[i], out);
            }
        }
    }
}

/// Per radial, the last sample its marked walk must reach: its own last needed sample, or the sample
/// before a descendant's birth where that descendant needs any (a radial born at level L starts from
/// its parent's state at the end of level L − 1's band). 0 where nothing is needed.
fn last_needed(plan: &RadialPlan, needed: &[u64], last: &mut Vec<usize>) {
    let wpr = words_per_radial(plan);
    last.clear();
    last.extend(needed.chunks(wpr).map(|row| {
        row.iter().rposition(|&w| w != 0).map_or(0, |k| k * 64 + 63 - row[k].leading_zeros() as usize)
    }));
    // Children have higher indices than their parents: from the last radial down, each has its
    // final value when it is reached.
    for i in (1..plan.n_final).rev() {
        let birth = plan.birth(i);
        if birth == 0 {
            continue;
        }
        let start = plan.band(birth).0;
        if last[i] >= start {
            let p = RadialPlan::parent(i);
            last[p] = last[p].max(start - 1);
        }
    }
}

/// RSRP (dBm) of the transmitter's best sector at a located cell with its sample; NaN where the
/// sample has no value.
#[inline]
pub fn rsrp(tx: &Transmitter, c: &CellRef, smp: Sample) -> f32 {
    let mut best = f32::NEG_INFINITY;
    for sec in &tx.sectors {
        let g = sec.eirp_dbm - sec.pattern.attenuation_db(c.az_deg, c.sin_az, c.cos_az, smp.dep_deg);
        best = best.max(g);
    }
    best - smp.loss_db
}

/// The sample as a receiver at DEM cell index `cell` gets it: the transmitter's terminal clutter loss
/// for the cell's land-cover class ([`super::clutter`]) added once to the path loss, so every sector
/// (and every later use of the value) sees it. Unchanged, bit for bit, without a land-cover layer.
#[inline]
pub fn at_receiver(tx: &Transmitter, cell: usize, smp: Sample) -> Sample {
    match &tx.clutter {
        Some(c) => Sample { loss_db: smp.loss_db + c.loss_db(cell), ..smp },
        None => smp,
    }
}

/// The swept sample for a located cell (after [`sweep`]).
#[inline]
pub fn swept_sample(plan: &RadialPlan, sc: &Scratch, c: &CellRef) -> Sample {
    sc.buf[c.radial * (plan.n + 1) + c.s]
}

/// The segments a radial's samples come from: radial `i` up to sample `s_end` is its ancestors'
/// walks up to each child's birth, then its own. Calls `f(radial, from, to)` in order from the site.
pub fn chain_segments(plan: &RadialPlan, i: usize, s_end: usize, mut f: impl FnMut(usize, usize, usize)) {
    let mut chain = [0usize; 64];
    let mut k = 0;
    let mut a = i;
    loop {
        chain[k] = a;
        k += 1;
        if plan.birth(a) == 0 {
            break;
        }
        a = RadialPlan::parent(a);
    }
    let mut s = 1;
    for idx in (0..k).rev() {
        let end = if idx == 0 { s_end } else { plan.band(plan.birth(chain[idx - 1])).0 - 1 };
        if end >= s {
            f(chain[idx], s, end);
            s = end + 1;
        }
    }
}

/// The sample for a located cell by walking only its radial's chain of ancestors — the same value
/// [`sweep`] + [`swept_sample`] give.
pub fn eval_cell_chain(prof: &Profile, plan: &RadialPlan, sc: &mut Scratch, c: &CellRef) -> Sample {
    if sc.row.len() < plan.n + 1 {
        sc.row.resize(plan.n + 1, Sample::NONE);
    }
    prof.start(&mut sc.state);
    let (state, row) = (&mut sc.state, &mut sc.row);
    chain_segments(plan, c.radial, c.s, |r, from, to| prof.walk(plan.azimuth(r), from, to, state, row));
    sc.row[c.s]
}

/// The loss at the samples some cell of `grid` takes ([`for_each_located`]), the only ones
/// [`visit_cells`] reads: for an ITM transmitter [`super::itm_walk::sweep_itm`], for the walked
/// models (median loss + Bullington or no diffraction) [`sweep`] with the loss computed only at
/// those samples — about three in four: the doubling radials hold ~1.35 samples a cell — while the
/// terrain hull goes through every sample, so each value is [`sweep`]'s bit for bit. Deygout, whose
/// loss at a sample depends on the ones before it, sweeps every sample. Returns the number of model
/// evaluations.
pub fn sweep_tx(
    prof: &Profile,
    plan: &RadialPlan,
    sc: &mut Scratch,
    tx: &Transmitter,
    grid: &crate::grid::Grid<f32>,
) -> Result<u64, ItmError> {
    // Every path leaves `sc.located` describing this sweep: `mark_needed` refills it, `sweep`
    // clears it.
    match &prof.propagation {
        Propagation::Itm(itm) => super::itm_walk::sweep_itm(prof, itm, plan, sc, tx, grid),
        _ if prof.can_skip_samples() => Ok(sweep_marked(prof, plan, sc, tx, grid)),
        _ => {
            sweep(prof, plan, sc);
            Ok(plan.samples() as u64)
        }
    }
}

/// [`sweep_tx`] for the walked models: mark the samples the cells of `grid` take, then walk.
fn sweep_marked(prof: &Profile, plan: &RadialPlan, sc: &mut Scratch, tx: &Transmitter, grid: &crate::grid::Grid<f32>) -> u64 {
    mark_needed(plan, tx, grid, &sc.cut, &mut sc.needed, &mut sc.located);
    let evaluated = sc.needed.iter().map(|w| w.count_ones() as u64).sum();
    sweep_impl(prof, plan, sc, true);
    evaluated
}

/// Words of the needed-sample bitmap per radial (each radial's row starts on a word).
#[inline]
pub(crate) fn words_per_radial(plan: &RadialPlan) -> usize {
    (plan.n + 1).div_ceil(64)
}

/// Marks in `needed` (one bit per sample, radial-major, [`words_per_radial`] words a radial) every
/// sample some cell of `grid` takes: the only samples [`visit_cells`] reads. Both the walked models
/// and ITM evaluate just these. The cells are kept in `located` for [`visit_cells`] (unless their
/// indices do not fit 32 bits: then it locates them again).
pub(crate) fn mark_needed(
    plan: &RadialPlan,
    tx: &Transmitter,
    grid: &crate::grid::Grid<f32>,
    cut: &ReachCut,
    needed: &mut Vec<u64>,
    located: &mut LocatedCells,
) {
    let wpr = words_per_radial(plan);
    needed.clear();
    needed.resize(plan.n_final * wpr, 0);
    located.clear();
    let listable = u32::try_from(grid.len()).is_ok() && u32::try_from(plan.n_final * (plan.n + 1)).is_ok();
    let list = &mut located.cells;
    locate_cells(tx, plan, grid, cut, |col, row, _, c| {
        needed[c.radial * wpr + c.s / 64] |= 1u64 << (c.s % 64);
        if listable {
            list.push(Located { col: col as u32, row: row as u32, at: (c.radial * (plan.n + 1) + c.s) as u32 });
        }
    });
    located.valid = listable;
}

/// Whether sample `s` is set in a radial's row `bits` of the bitmap of [`mark_needed`].
#[inline(always)]
pub(crate) fn is_needed(bits: &[u64], s: usize) -> bool {
    bits[s / 64] & (1u64 << (s % 64)) != 0
}

/// [`eval_cell_chain`] or, for an ITM transmitter, [`super::itm_walk::eval_cell_itm`].
pub fn eval_cell(prof: &Profile, plan: &RadialPlan, sc: &mut Scratch, c: &CellRef) -> Result<Sample, ItmError> {
    match &prof.propagation {
        Propagation::Itm(itm) => super::itm_walk::eval_cell_itm(prof, itm, plan, sc, c),
        _ => Ok(eval_cell_chain(prof, plan, sc, c)),
    }
}

/// [`eval_cell`] for many located cells of one transmitter, into `out` in their order — the same
/// samples, bit for bit. For the walked models that can skip samples and more than a few cells, one
/// marked sweep ([`Profile::walk_marked`]) with just these cells' samples needed: each radial is
/// walked once up to its farthest cell and the ancestors the cells' chains share (the radials near
/// the site) once for all, instead of one chain walk from the site per cell. Otherwise one
/// [`eval_cell`] per cell.
pub fn eval_cells(prof: &Profile, plan: &RadialPlan, sc: &mut Scratch, cells: &[CellRef], out: &mut Vec<Sample>) -> Result<(), ItmError> {
    /// Fewer cells than this walk their chains: a marked sweep clears and scans its bitmap and
    /// visits every radial of the plan.
    const BATCH_FROM: usize = 4;
    out.clear();
    if cells.len() < BATCH_FROM || matches!(prof.propagation, Propagation::Itm(_)) || !prof.can_skip_samples() {
        for c in cells {
            out.push(eval_cell(prof, plan, sc, c)?);
        }
        return Ok(());
    }
    let wpr = words_per_radial(plan);
    sc.needed.clear();
    sc.needed.resize(plan.n_final * wpr, 0);
    for c in cells {
        sc.needed[c.radial * wpr + c.s / 64] |= 1u64 << (c.s % 64);
    }
    sc.located.clear();
    sweep_impl(prof, plan, sc, true);
    out.extend(cells.iter().map(|c| swept_sample(plan, sc, c)));
    Ok(())
}

/// Visit every DEM cell within the sweep of a transmitter (after [`sweep`]), in 32×32 tiles so the
/// samples a tile needs stay in cache, calling `visit(cell index, located cell, sample)` for every cell
/// whose sample has a value — the sample as the receiver there gets it ([`at_receiver`]: with its
/// clutter loss). Returns the number of cells evaluated.
pub fn visit_cells(
    tx: &Transmitter,
    plan: &RadialPlan,
    sc: &Scratch,
    grid: &crate::grid::Grid<f32>,
    mut visit: impl FnMut(usize, &CellRef, Sample),
) -> u64 {
    let mut one = |i: usize, c: &CellRef| {
        let smp = swept_sample(plan, sc, c);
        if !smp.loss_db.is_nan() {
            visit(i, c, at_receiver(tx, i, smp));
        }
    };
    if !sc.located.valid {
        return for_each_located(tx, plan, grid, &sc.cut, one);
    }
    /// How many cells ahead the visit prefetches samples: enough to cover a miss to memory behind
    /// the work of the cells between.
    const AHEAD: usize = 32;
    let cells = &sc.located.cells;
    for (k, l) in cells.iter().enumerate() {
        if let Some(next) = cells.get(k + AHEAD) {
            prefetch(&sc.buf, next.at as usize);
        }
        let (col, row) = (l.col as usize, l.row as usize);
        let (cx, cy) = grid.cell_center(col, row);
        if let Some(c) = locate(plan, tx.x, tx.y, cx, cy) {
            one(row * grid.width + col, &c);
        }
    }
    sc.located.cells.len() as u64
}

/// Hint the CPU to bring `buf[i]` into cache (nothing where the hint is not available; an index
/// out of range is ignored).
#[inline(always)]
fn prefetch(buf: &[Sample], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(p) = buf.get(i) {
        // SAFETY: a prefetch only hints the cache; it reads nothing and cannot fault, and the
        // pointer is to an element of `buf` anyway.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((p as *const Sample).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (buf, i);
}

/// [`visit_cells`] with the transmitter's best-sector RSRP, calling `emit(cell index, rsrp)` where
/// RSRP ≥ `floor`. Returns the number of cells evaluated.
pub fn rasterize(
    tx: &Transmitter,
    plan: &RadialPlan,
    sc: &Scratch,
    grid: &crate::grid::Grid<f32>,
    floor: f32,
    mut emit: impl FnMut(usize, f32),
) -> u64 {
    visit_cells(tx, plan, sc, grid, |i, c, smp| {
        let v = rsrp(tx, c, smp);
        if v >= floor {
            emit(i, v);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::engine::walk_for;
    use super::super::params::CoverageParams;
    use super::super::sites::prepare_site;
    use super::super::synthetic::{empty_dataset, hilly_dem, prepared_three_sector, three_sector_site};
    use super::*;

    #[test]
    fn chain_walk_equals_full_sweep_and_every_cell_in_reach_gets_a_value() {
        let ds = empty_dataset(hilly_dem(300, 260, 30.0, 7, 400.0));
        let params = CoverageParams { max_radius_m: 3500.0, ..Default::default() };
        let p = prepared_three_sector(&ds, &params, (140, 120), (7.0, -3.0), 25.0, 1800.0);
        let tx = &p.txs[0];
        let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
        let mut sc = Scratch::default();
        sweep(&prof, &plan, &mut sc);
        let mut sc2 = Scratch::default();
        let mut checked = 0;
        for row in 0..ds.dem.height {
            for col in 0..ds.dem.width {
                let (cx, cy) = ds.dem.cell_center(col, row);
                let d = ((cx - tx.x).powi(2) + (cy - tx.y).powi(2)).sqrt();
                let Some(c) = locate(&plan, tx.x, tx.y, cx, cy) else {
                    assert!(d > (plan.n as f64 + 0.49) * 30.0, "cell at {d} m has no sample");
                    continue;
                };
                let a = swept_sample(&plan, &sc, &c);
                assert!(!a.loss_db.is_nan(), "cell at {d} m has no value");
                if (row * 7 + col) % 13 == 0 {
                    let b = eval_cell_chain(&prof, &plan, &mut sc2, &c);
                    assert_eq!(a.loss_db.to_bits(), b.loss_db.to_bits(), "cell ({col}, {row})");
                    assert_eq!(a.dep_deg.to_bits(), b.dep_deg.to_bits());
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn loss_only_where_a_cell_takes_it_equals_the_full_sweep() {
        // sweep_tx computes the loss only at the samples some DEM cell takes (the hull still goes
        // through all): every cell's sample must be the full sweep's bit for bit — a site inside the
        // DEM and one near its corner (cells cut off by the edge), with and without diffraction —
        // and about a quarter of the samples are left out.
        let ds = empty_dataset(hilly_dem(260, 240, 30.0, 5, 450.0));
        for (diffraction, col, row) in [(true, 120, 110), (true, 12, 9), (false, 120, 110)] {
            let params = CoverageParams { max_radius_m: 3600.0, diffraction, ..Default::default() };
            let p = prepared_three_sector(&ds, &params, (col, row), (4.0, -9.0), 30.0, 1800.0);
            let tx = &p.txs[0];
            let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
            let mut full = Scratch::default();
            sweep(&prof, &plan, &mut full);
            let mut marked = Scratch::default();
            // A buffer dirtied by another transmitter first: left-out samples keep stale values.
            let other = prepared_three_sector(&ds, &params, (col, row), (300.0, -300.0), 45.0, 900.0);
            sweep(&Profile::new(&ds.dem, &other.txs[0], &params), &plan, &mut marked);
            let evaluated = sweep_tx(&prof, &plan, &mut marked, tx, &ds.dem).unwrap();
            let mut cells = 0;
            for_each_located(tx, &plan, &ds.dem, &ReachCut::default(), |_, c| {
                let (a, b) = (swept_sample(&plan, &full, c), swept_sample(&plan, &marked, c));
                assert_eq!(a.loss_db.to_bits(), b.loss_db.to_bits(), "{diffraction} ({col}, {row}): s {} radial {}", c.s, c.radial);
                assert_eq!(a.dep_deg.to_bits(), b.dep_deg.to_bits());
                cells += 1;
            });
            assert!(cells > 10_000, "{cells}");
            let share = evaluated as f64 / plan.samples() as f64;
            assert!(share < 0.85 && evaluated as usize >= cells / 2, "{evaluated} of {} samples for {cells} cells", plan.samples());
        }
    }

    #[test]
    fn visiting_after_the_marked_sweep_reads_the_cells_the_rule_lets_through_in_order() {
        // After `sweep_tx` (walked model, reach rule on) `visit_cells` reads the listed cells; after
        // a plain `sweep` it locates them itself. Both must visit the cells `for_each_located` gives,
        // in its order, with the same located values and samples.
        let ds = empty_dataset(hilly_dem(260, 240, 30.0, 9, 420.0));
        let params = CoverageParams { max_radius_m: 5000.0, covered_dbm: -95.0, ..Default::default() };
        let p = prepared_three_sector(&ds, &params, (130, 120), (4.0, -9.0), 30.0, 1800.0);
        let tx = &p.txs[0];
        let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
        let rule = crate::coverage::cut::CutRule::reach_keeping(ds.dem.len(), &[0, 500, 31_000]);
        let mut sc = Scratch::default();
        sc.cut.prepare(&rule, &prof, tx, params.reach_floor_dbm());
        sweep_tx(&prof, &plan, &mut sc, tx, &ds.dem).unwrap();
        assert!(sc.located.valid);
        // What visiting means: every located cell whose sample has a value, in order.
        let mut want = Vec::new();
        let located = for_each_located(tx, &plan, &ds.dem, &sc.cut, |i, c| {
            let smp = at_receiver(tx, i, swept_sample(&plan, &sc, c));
            if !smp.loss_db.is_nan() {
                want.push((i, c.s, c.radial, c.az_deg.to_bits(), smp.loss_db.to_bits()));
            }
        });
        let mut got = Vec::new();
        let visited = visit_cells(tx, &plan, &sc, &ds.dem, |i, c, smp| got.push((i, c.s, c.radial, c.az_deg.to_bits(), smp.loss_db.to_bits())));
        assert_eq!(visited, located);
        assert!(want.len() > 1000 && want.len() < located as usize, "{} of {located}", want.len());
        assert_eq!(got, want);
        // A plain sweep forgets the list: every cell of the disc again.
        sweep(&prof, &plan, &mut sc);
        assert!(!sc.located.valid);
        let all = visit_cells(tx, &plan, &sc, &ds.dem, |_, _, _| {});
        assert!(all > located, "{all} ≤ {located}");
    }

    #[test]
    fn cells_evaluated_together_equal_each_evaluated_alone() {
        // Scattered cells of one transmitter (some sharing a radial, one at the site's doorstep, a
        // few off the DEM's data): the batch's samples equal `eval_cell`'s bit for bit — with and
        // without diffraction (marked sweep), with Deygout (cell by cell) and below the batch size.
        let mut ds = empty_dataset(hilly_dem(300, 280, 30.0, 17, 420.0));
        for c in 0..40 {
            ds.dem.data[(200 + c / 8) * 300 + 40 + c % 8] = ds.dem.nodata.unwrap();
        }
        let method = |deygout: bool| if deygout { crate::coverage::params::DiffractionMethod::Deygout } else { crate::coverage::params::DiffractionMethod::Bullington };
        for (diffraction, deygout, n) in [(true, false, 300), (false, false, 300), (true, true, 60), (true, false, 3)] {
            let params = CoverageParams { max_radius_m: 5000.0, diffraction, diffraction_method: method(deygout), ..Default::default() };
            let p = prepared_three_sector(&ds, &params, (150, 140), (3.0, -5.0), 30.0, 1800.0);
            let tx = &p.txs[0];
            let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
            let mut cells = Vec::new();
            let mut k = 0usize;
            while cells.len() < n {
                k += 1;
                let (col, row) = ((k * 7919) % 300, (k * 104_729) % 280);
                let (cx, cy) = ds.dem.cell_center(col, row);
                if let Some(c) = locate(&plan, tx.x, tx.y, cx, cy) {
                    cells.push(c);
                    if k % 5 == 0 {
                        cells.push(c);
                    }
                }
            }
            cells.push(locate(&plan, tx.x, tx.y, tx.x + 20.0, tx.y).unwrap());
            let mut batch = Vec::new();
            eval_cells(&prof, &plan, &mut Scratch::default(), &cells, &mut batch).unwrap();
            let mut sc = Scratch::default();
            let mut nan = 0;
            for (c, b) in cells.iter().zip(&batch) {
                let a = eval_cell(&prof, &plan, &mut sc, c).unwrap();
                assert_eq!((a.loss_db.to_bits(), a.dep_deg.to_bits()), (b.loss_db.to_bits(), b.dep_deg.to_bits()), "{diffraction} {deygout}: s {} radial {}", c.s, c.radial);
                nan += a.loss_db.is_nan() as usize;
            }
            assert_eq!(batch.len(), cells.len());
            assert!(nan < cells.len() / 2, "{nan}");
        }
    }

    #[test]
    fn a_receiver_pays_its_class_loss_once_whatever_the_sectors() {
        // Three sectors share one sweep; with every cell tree cover (12 dB at 1800 MHz, the
        // reference) each cell's best-sector RSRP is exactly 12 dB lower — not 36 — and unchanged
        // without a land-cover layer.
        let mut ds = empty_dataset(hilly_dem(200, 180, 30.0, 3, 300.0));
        let params = CoverageParams { max_radius_m: 2500.0, ..Default::default() };
        let (x, y) = ds.dem.cell_center(100, 90);
        let site = three_sector_site(1, "t", x, y, 25.0, 1800.0);
        let values = |ds: &crate::dataset::Dataset| {
            let p = prepare_site(ds, 0, &site, &params).unwrap();
            let tx = &p.txs[0];
            let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
            let mut sc = Scratch::default();
            sweep(&prof, &plan, &mut sc);
            let mut v = vec![f32::NAN; ds.dem.len()];
            rasterize(tx, &plan, &sc, &ds.dem, -400.0, |i, r| v[i] = r);
            v
        };
        let open = values(&ds);
        ds.landcover = Some(std::sync::Arc::new(ds.dem.map(Some(0u8), |_| 10u8)));
        let forest = values(&ds);
        let mut n = 0;
        for (a, b) in open.iter().zip(&forest) {
            assert_eq!(a.is_nan(), b.is_nan());
            if a.is_finite() {
                assert!((a - 12.0 - b).abs() < 1e-3, "{a} → {b}");
                n += 1;
            }
        }
        assert!(n > 10_000, "{n}");
    }
}
