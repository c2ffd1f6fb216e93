//! ITM (Longley-Rice, [`crate::radio::itm`]) as a band's propagation model in the coverage engine. Each
//! radial's terrain profile is read from the DEM at the same sample positions as the other models'
//! walk, following the radial's chain of ancestors ([`super::sweep::chain_segments`]) so the
//! radial layout, the rasterization and the point evaluation are unchanged; the profile is handed
//! to ITM once ([`ItmPath`]) and every receiver on the radial's own part that some DEM cell takes
//! (the cells' nearest samples, [`super::sweep::for_each_located`]) is evaluated on it — at 30 km,
//! 3.28 M evaluations for 3.41 M cells instead of the 4.58 M samples the doubling radials hold. ITM's
//! basic transmission loss replaces the median model and the knife-edge diffraction. One site's
//! radials run in parallel.
//!
//! A radial that leaves the DEM (or meets nodata) is cut there: ITM needs the whole profile up to
//! a receiver. Δh is interpolated between anchors up to [`delta_h_lookahead`] points beyond a
//! receiver (`ItmParams::radial_delta_h_step`, `radio::itm::radial`), so the sweep reads each
//! chain that far past its farthest receiver and the point evaluation that far past its cell: the
//! point evaluation prepares the chain's profile up to there only, and agrees with the full sweep
//! up to floating-point rounding (ITM's sums are accumulated per path).

use rayon::prelude::*;

use crate::grid::Grid;
use crate::radio::itm::{delta_h_lookahead, ItmError, ItmParams, ItmPath, ItmScratch};
use super::profile::{Profile, Sample};
use super::radial::RadialPlan;
use super::sites::Transmitter;
use super::sweep::{chain_segments, mark_needed, words_per_radial, CellRef, Scratch};

/// Radials per parallel task at least (a radial is ~1,000 ITM evaluations at 30 km).
const MIN_RADIALS_PER_TASK: usize = 8;

/// Elevations of radial `i`'s chain from the site (index 0, the site's ground) to sample `s_end`
/// into `elev`; returns the number of valid leading samples (the profile is cut at the first gap).
fn chain_profile(prof: &Profile, plan: &RadialPlan, i: usize, s_end: usize, elev: &mut Vec<f32>) -> usize {
    elev.clear();
    elev.push(prof.ground_m);
    let mut ok = true;
    chain_segments(plan, i, s_end, |r, from, to| {
        let (ux, uy) = prof.pixel_step(plan.azimuth(r));
        for s in from..=to {
            if !ok {
                return;
            }
            match prof.elevation_at_step(ux, uy, s) {
                Some(z) => elev.push(z),
                None => ok = false,
            }
        }
    });
    elev.len()
}

/// ITM on radial `i` at the samples marked in `bits` (its row of the bitmap) into `out` (its row of
/// the buffer); unmarked samples of its own part are [`Sample::NONE`]. Returns the evaluations made.
#[allow(clippy::too_many_arguments)]
fn radial_itm(
    prof: &Profile,
    params: &ItmParams,
    plan: &RadialPlan,
    i: usize,
    bits: &[u64],
    out: &mut [Sample],
    elev: &mut Vec<f32>,
    work: &mut ItmScratch,
) -> Result<u64, ItmError> {
    let own = plan.band(plan.birth(i)).0;
    out[own..].fill(Sample::NONE);
    // The farthest marked sample: the profile is read no further than Δh's lookahead beyond it
    // (ITM at a receiver uses the profile up to it only, its interpolated Δh up to an anchor).
    let Some(last) = bits.iter().enumerate().rev().find(|(_, w)| **w != 0).map(|(k, w)| k * 64 + 63 - w.leading_zeros() as usize)
    else {
        return Ok(0);
    };
    let read_to = (last + delta_h_lookahead(params.radial_delta_h_step, last)).min(plan.n);
    let valid = chain_profile(prof, plan, i, read_to, elev);
    if valid < 2 || own >= valid {
        return Ok(0);
    }
    let mut path = ItmPath::new(&elev[..valid], prof.step_m, params, work)?;
    let mut evaluated = 0;
    for (k, &w) in bits.iter().enumerate() {
        let mut w = w;
        while w != 0 {
            let s = k * 64 + w.trailing_zeros() as usize;
            w &= w - 1;
            if s < own || s >= valid {
                continue;
            }
            let r = path.loss_to(s)?;
            out[s] = Sample { loss_db: r.loss_db as f32, dep_deg: prof.depression_deg(s, elev[s]) };
            evaluated += 1;
        }
    }
    Ok(evaluated)
}

/// Fill the scratch buffer with ITM samples for the radials of `plan`: every sample some cell of
/// `grid` takes from the transmitter's sweep (the others stay [`Sample::NONE`]; nothing reads
/// them). Each sample is ITM on its radial's chain profile up to it, so the values are those of
/// evaluating every sample, bit for bit. Radials are evaluated in parallel (rayon): one site's
/// sweep uses every core (the build's sites are already spread over the cores; nested tasks just
/// queue behind them). Returns the number of ITM evaluations.
pub fn sweep_itm(
    prof: &Profile,
    params: &ItmParams,
    plan: &RadialPlan,
    sc: &mut Scratch,
    tx: &Transmitter,
    grid: &Grid<f32>,
) -> Result<u64, ItmError> {
    let row = plan.n + 1;
    let wpr = words_per_radial(plan);
    let mut needed = std::mem::take(&mut sc.needed);
    mark_needed(plan, tx, grid, &sc.cut, &mut needed, &mut sc.located);
    let buf = sc.buffer(plan);
    let result = buf
        .par_chunks_mut(row)
        .zip(needed.par_chunks(wpr))
        .enumerate()
        .with_min_len(MIN_RADIALS_PER_TASK)
        .map_init(
            || (Vec::new(), ItmScratch::new()),
            |(elev, work), (i, (out, bits))| radial_itm(prof, params, plan, i, bits, out, elev, work),
        )
        .try_reduce(|| 0, |a, b| Ok(a + b));
    sc.needed = needed;
    result
}

/// The ITM sample for one located cell: its chain's profile up to the cell, one ITM evaluation.
pub fn eval_cell_itm(
    prof: &Profile,
    params: &ItmParams,
    plan: &RadialPlan,
    sc: &mut Scratch,
    c: &CellRef,
) -> Result<Sample, ItmError> {
    let read_to = (c.s + delta_h_lookahead(params.radial_delta_h_step, c.s)).min(plan.n);
    let valid = chain_profile(prof, plan, c.radial, read_to, &mut sc.elev);
    if valid <= c.s {
        return Ok(Sample::NONE);
    }
    let work = sc.itm.get_or_insert_with(ItmScratch::new);
    let r = ItmPath::new(&sc.elev[..valid], prof.step_m, params, work)?.loss_to(c.s)?;
    Ok(Sample { loss_db: r.loss_db as f32, dep_deg: prof.depression_deg(c.s, sc.elev[c.s]) })
}

#[cfg(test)]
mod tests {
    use super::super::engine::walk_for;
    use super::super::params::{BandConfig, CoverageParams, ModelKind};
    use super::super::sites::prepare_site;
    use super::super::synthetic::{empty_dataset, hilly_dem, omni_site};
    use super::*;
    use crate::coverage::sweep::{for_each_located, swept_sample, sweep_tx};
    use crate::radio::Propagation;

    #[test]
    fn only_the_taken_samples_are_evaluated_and_they_equal_the_full_radials_bit_for_bit() {
        // Rough terrain, a 28.9 m cell (the inexact spacing of 1″ SRTM warped to UTM at 21° N), the
        // site off the cell centre and the radius past the DEM's edge (radials cut short): every
        // located cell's sample equals ITM on the radial's whole chain profile evaluated at every
        // sample as before — the same bits — and fewer ITM evaluations are made than samples exist.
        let ds = empty_dataset(hilly_dem(260, 240, 28.9, 11, 600.0));
        let band = BandConfig { min_mhz: 1700.0, max_mhz: 1900.0, model: ModelKind::Itm, environment: crate::radio::Environment::Open, max_radius_m: None };
        let params = CoverageParams { bands: vec![band], max_radius_m: 4000.0, min_rsrp_dbm: -400.0, reach_margin_db: 1000.0, ..Default::default() };
        let (x, y) = ds.dem.cell_center(120, 110);
        let site = omni_site(1, "t", x + 5.0, y - 9.0, 30.0, 1800.0);
        let p = prepare_site(&ds, 0, &site, &params).unwrap();
        let tx = &p.txs[0];
        let Propagation::Itm(itm) = tx.propagation else { panic!("ITM band") };
        let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
        let mut sc = Scratch::default();
        let evaluated = sweep_tx(&prof, &plan, &mut sc, tx, &ds.dem).unwrap();

        // The full radials, as the sweep evaluated them before: whole chain, every own sample.
        let row = plan.n + 1;
        let mut full = vec![Sample::NONE; plan.n_final * row];
        let (mut elev, mut work) = (Vec::new(), ItmScratch::new());
        for i in 0..plan.n_final {
            let own = plan.band(plan.birth(i)).0;
            let valid = chain_profile(&prof, &plan, i, plan.n, &mut elev);
            if valid < 2 || own >= valid {
                continue;
            }
            let mut path = ItmPath::new(&elev[..valid], prof.step_m, &itm, &mut work).unwrap();
            for s in own..valid {
                let r = path.loss_to(s).unwrap();
                full[i * row + s] = Sample { loss_db: r.loss_db as f32, dep_deg: prof.depression_deg(s, elev[s]) };
            }
        }
        let (mut cells, mut valued) = (0, 0);
        let mut taken = std::collections::HashSet::new();
        for_each_located(tx, &plan, &ds.dem, &crate::coverage::cut::ReachCut::default(), |_, c| {
            let a = swept_sample(&plan, &sc, c);
            let b = full[c.radial * row + c.s];
            assert_eq!(a.loss_db.to_bits(), b.loss_db.to_bits(), "radial {} sample {}", c.radial, c.s);
            assert_eq!(a.dep_deg.to_bits(), b.dep_deg.to_bits());
            cells += 1;
            valued += usize::from(!a.loss_db.is_nan());
            if !a.loss_db.is_nan() {
                taken.insert((c.radial, c.s));
            }
        });
        assert_eq!(evaluated as usize, taken.len(), "one evaluation per sample taken");
        assert!(valued > 40_000 && valued < cells, "{valued} of {cells}: some radials leave the DEM");
        assert!(taken.len() * 10 < plan.samples() * 8, "{} taken of {} samples", taken.len(), plan.samples());
    }
}
