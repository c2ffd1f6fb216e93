//! ITM (Longley-Rice, [`crate::radio::itm`]) as a band's propagation model in the coverage engine. Each
//! radial's terrain profile is read from the DEM at the same sample positions as the other models'
//! walk, following the radial's chain of ancestors ([`super::sweep::chain_segments`]) so the
//! radial layout, the rasterization and the point evaluation are unchanged; the profile is handed
//! to ITM once ([`ItmPath`]) and every receiver on the radial's own part is evaluated on it. ITM's
//! basic transmission loss replaces the median model and the knife-edge diffraction.
//!
//! A radial that leaves the DEM (or meets nodata) is cut there: ITM needs the whole profile up to
//! a receiver. The point evaluation prepares the chain's profile up to the receiver only, so it
//! agrees with the full sweep up to floating-point rounding (ITM's sums are accumulated per path).

use crate::radio::itm::{ItmError, ItmParams, ItmPath, ItmScratch};
use super::profile::{Profile, Sample};
use super::radial::RadialPlan;
use super::sweep::{chain_segments, CellRef, Scratch};

/// Elevations of radial `i`'s chain from the site (index 0, the site's ground) to sample `s_end`
/// into `elev`; returns the number of valid leading samples (the profile is cut at the first gap).
fn chain_profile(prof: &Profile, plan: &RadialPlan, i: usize, s_end: usize, elev: &mut Vec<f32>) -> usize {
    elev.clear();
    elev.push(prof.ground_m);
    let mut ok = true;
    chain_segments(plan, i, s_end, |r, from, to| {
        let az = plan.azimuth(r);
        for s in from..=to {
            if !ok {
                return;
            }
            match prof.elevation_at(az, s) {
                Some(z) => elev.push(z),
                None => ok = false,
            }
        }
    });
    elev.len()
}

/// Fill the scratch buffer with ITM samples for every radial of `plan`.
pub fn sweep_itm(prof: &Profile, params: &ItmParams, plan: &RadialPlan, sc: &mut Scratch) -> Result<(), ItmError> {
    let row = plan.n + 1;
    let mut elev = std::mem::take(&mut sc.elev);
    let mut work = sc.itm.take().unwrap_or_default();
    let buf = sc.buffer(plan);
    let mut result = Ok(());
    for i in 0..plan.n_final {
        let own = plan.band(plan.birth(i)).0;
        let out = &mut buf[i * row..(i + 1) * row];
        let valid = chain_profile(prof, plan, i, plan.n, &mut elev);
        out[own..].fill(Sample::NONE);
        if valid < 2 || own >= valid {
            continue;
        }
        let mut path = match ItmPath::new(&elev[..valid], prof.step_m, params, &mut work) {
            Ok(p) => p,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        for (s, o) in out.iter_mut().enumerate().take(valid).skip(own) {
            match path.loss_to(s) {
                Ok(r) => *o = Sample { loss_db: r.loss_db as f32, dep_deg: prof.depression_deg(s, elev[s]) },
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_err() {
            break;
        }
    }
    sc.elev = elev;
    sc.itm = Some(work);
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
    let valid = chain_profile(prof, plan, c.radial, c.s, &mut sc.elev);
    if valid <= c.s {
        return Ok(Sample::NONE);
    }
    let work = sc.itm.get_or_insert_with(ItmScratch::new);
    let r = ItmPath::new(&sc.elev[..valid], prof.step_m, params, work)?.loss_to(c.s)?;
    Ok(Sample { loss_db: r.loss_db as f32, dep_deg: prof.depression_deg(c.s, sc.elev[c.s]) })
}
