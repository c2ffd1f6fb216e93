//! Where the DEM cells fall in a transmitter's sweep: a cell centre's sample index from its
//! distance and its radial from its azimuth ([`locate`]), and the cells of a transmitter's disc that
//! the reach rule lets through ([`for_each_located`]) — found block by block, blocks that can hold
//! no such cell passed over whole and a cell's direction computed only where it could pass. The
//! one definition of which cells (and so which samples) a sweep's readers take ([`super::sweep`]).

use std::f64::consts::TAU;

use super::cut::ReachCut;
use super::radial::RadialPlan;
use super::sites::Transmitter;

/// Where a cell centre falls in a transmitter's sweep.
#[derive(Debug, Clone, Copy)]
pub struct CellRef {
    pub s: usize,
    pub radial: usize,
    pub az_deg: f32,
    pub sin_az: f32,
    pub cos_az: f32,
}

/// Locate the cell centre (cx, cy) relative to the transmitter at (sx, sy); `None` beyond the sweep.
#[inline]
pub fn locate(plan: &RadialPlan, sx: f64, sy: f64, cx: f64, cy: f64) -> Option<CellRef> {
    offset(plan, sx, sy, cx, cy).map(|o| direction(plan, &o))
}

/// A cell centre's offset and distance from the transmitter and its sample index: the first half
/// of [`locate`], all the reach rule needs to rule most cells out ([`ReachCut::may_pass`]).
struct Offset {
    dx: f64,
    dy: f64,
    r: f64,
    s: usize,
}

#[inline]
fn offset(plan: &RadialPlan, sx: f64, sy: f64, cx: f64, cy: f64) -> Option<Offset> {
    let dx = cx - sx;
    let dy = cy - sy;
    let r = (dx * dx + dy * dy).sqrt();
    let s = ((r / plan.step_m + 0.5) as usize).max(1);
    (s <= plan.n).then_some(Offset { dx, dy, r, s })
}

/// The second half of [`locate`]: the cell's direction and radial.
#[inline]
fn direction(plan: &RadialPlan, o: &Offset) -> CellRef {
    let mut az = crate::radio::fastmath::atan2(o.dx, o.dy);
    if az < 0.0 {
        az += TAU;
    }
    let (sin_az, cos_az) = if o.r > 0.0 { ((o.dx / o.r) as f32, (o.dy / o.r) as f32) } else { (0.0, 1.0) };
    CellRef { s: o.s, radial: plan.radial_at(o.s, az), az_deg: az.to_degrees() as f32, sin_az, cos_az }
}

/// Every DEM cell within the sweep of a transmitter located in it that `cut` lets through
/// ([`super::cut`]), in 32×32 tiles so the samples a tile needs stay in cache: `f(cell index,
/// located cell)`. Returns the number of cells located.
/// The one definition of which samples a sweep's readers take ([`super::sweep::visit_cells`], and the ITM sweep's
/// choice of the samples to evaluate, [`super::itm_walk`]).
#[inline]
pub fn for_each_located(
    tx: &Transmitter,
    plan: &RadialPlan,
    grid: &crate::grid::Grid<f32>,
    cut: &ReachCut,
    mut f: impl FnMut(usize, &CellRef),
) -> u64 {
    locate_cells(tx, plan, grid, cut, |_, _, i, c| f(i, c))
}

/// [`for_each_located`] with each cell's column and row: `f(col, row, cell index, located cell)`.
#[inline]
pub(crate) fn locate_cells(
    tx: &Transmitter,
    plan: &RadialPlan,
    grid: &crate::grid::Grid<f32>,
    cut: &ReachCut,
    mut f: impl FnMut(usize, usize, usize, &CellRef),
) -> u64 {
    const TILE: usize = 32;
    let t = &grid.transform;
    let reach = (plan.n as f64 + 0.5) * plan.step_m;
    let c0 = (((tx.x - reach - t.x0) / t.dx).floor().max(0.0)) as usize;
    let c1 = ((((tx.x + reach - t.x0) / t.dx).ceil()) as isize).clamp(0, grid.width as isize) as usize;
    let r0 = (((t.y0 - (tx.y + reach)) / t.dy).floor().max(0.0)) as usize;
    let r1 = ((((t.y0 - (tx.y - reach)) / t.dy).ceil()) as isize).clamp(0, grid.height as isize) as usize;
    let mut cells = 0u64;
    for tr in (r0..r1).step_by(TILE) {
        for tc in (c0..c1).step_by(TILE) {
            let (rows, cols) = (tr..(tr + TILE).min(r1), tc..(tc + TILE).min(c1));
            let Some(gain) = block_reach(tx, plan, grid, cut, rows.clone(), cols.clone()) else { continue };
            for row in rows {
                for col in cols.clone() {
                    let (cx, cy) = grid.cell_center(col, row);
                    let Some(o) = offset(plan, tx.x, tx.y, cx, cy) else { continue };
                    let i = row * grid.width + col;
                    if !cut.may_pass(tx, i, o.s, gain) {
                        continue;
                    }
                    let c = direction(plan, &o);
                    if !cut.passes(tx, i, &c) {
                        continue;
                    }
                    cells += 1;
                    f(col, row, i, &c);
                }
            }
        }
    }
    cells
}

/// How [`locate_cells`] treats a block of cells: `None` to pass over it whole — no centre in it is
/// within the sweep, or none can pass the reach rule ([`ReachCut::block_fails`]; far out, between
/// the sectors and under forest, most blocks of a province transmitter's disc) — else an upper
/// bound of the gain of its cells' directions ([`ReachCut::gain_bound`], +∞ where the site is in
/// the block), with which most failing cells are told apart before their direction is computed
/// ([`ReachCut::may_pass`]). The nearest centre is found as [`locate`] computes distances (the
/// same subtractions, rounding monotone), so no centre of the block is nearer; the azimuths of a
/// block the site is outside lie between those of its corner centres.
fn block_reach(
    tx: &Transmitter,
    plan: &RadialPlan,
    grid: &crate::grid::Grid<f32>,
    cut: &ReachCut,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
) -> Option<f32> {
    let (xa, ya) = grid.cell_center(cols.start, rows.start);
    let (xb, yb) = grid.cell_center(cols.end - 1, rows.end - 1);
    // Along each axis the nearest centre's offset from the site (0 when the site is between).
    let near = |lo: f64, hi: f64, at: f64| if at < lo { lo - at } else if at > hi { at - hi } else { 0.0 };
    let (ex, ey) = (near(xa, xb, tx.x), near(yb, ya, tx.y));
    let d_min = (ex * ex + ey * ey).sqrt();
    let s_min = ((d_min / plan.step_m + 0.5) as usize).max(1);
    if s_min > plan.n {
        return None;
    }
    if d_min == 0.0 {
        return Some(f32::INFINITY);
    }
    let az = |x: f64, y: f64| crate::radio::fastmath::atan2(x - tx.x, y - tx.y).to_degrees();
    let a0 = az(xa, ya);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for a in [az(xb, ya), az(xa, yb), az(xb, yb)] {
        let d = (a - a0 + 180.0).rem_euclid(360.0) - 180.0;
        lo = lo.min(d);
        hi = hi.max(d);
    }
    let gain = cut.gain_bound((a0 + lo, a0 + hi));
    (!cut.block_fails(tx, gain, s_min, rows, cols, grid.width)).then_some(gain)
}

#[cfg(test)]
mod tests {
    use super::super::engine::walk_for;
    use super::super::params::CoverageParams;
    use super::super::synthetic::{forested, hilly_dem, prepared_three_sector};
    use super::*;

    #[test]
    fn blocks_passed_over_whole_hold_no_cell_the_rule_lets_through() {
        // A 1800 MHz three-sector site over forest on the west half and a checkerboard of forest
        // and grassland on the east, a few kept cells, sites inside, at a corner and at the
        // DEM's edge. Every block `locate_cells` passes over must hold no cell that `locate` puts
        // in the sweep and the rule lets through — cell by cell, as the rule itself decides — and
        // `for_each_located` must give exactly the cells that cell-by-cell loop gives, in order.
        // Blocks must be passed over for each reason: beyond the disc, between the sectors, and
        // under forest only.
        let forest = |c: usize, r: usize| c < 200 || (c / 10 + r / 10) % 2 == 0;
        let ds = forested(hilly_dem(400, 380, 30.0, 13, 380.0), forest);
        let params = CoverageParams { max_radius_m: 6000.0, covered_dbm: -95.0, ..Default::default() };
        let kept: Vec<usize> = (0..40).map(|k| (k * 7919 * 31) % ds.dem.len()).collect();
        let rule = crate::coverage::cut::CutRule::reach_keeping(ds.dem.len(), &kept);
        let (mut beyond, mut rule_only, mut forest_only) = (0, 0, 0);
        for (cell, offset) in [((200, 190), (5.0, -7.0)), ((15, 10), (3.0, 4.0)), ((399, 200), (12.0, 0.0)), ((120, 250), (0.0, 0.0))] {
            let p = prepared_three_sector(&ds, &params, cell, offset, 30.0, 1800.0);
            let tx = &p.txs[0];
            let (prof, plan) = walk_for(&ds.dem, tx, &params).unwrap();
            let mut cut = ReachCut::default();
            cut.prepare(&rule, &prof, tx, params.reach_floor_dbm());
            let mut open = ReachCut::default();
            open.prepare(&rule, &prof, &Transmitter { clutter: None, ..tx.clone() }, params.reach_floor_dbm());
            let g = &ds.dem;
            let (mut want, mut got) = (Vec::new(), Vec::new());
            for tr in (0..g.height).step_by(32) {
                for tc in (0..g.width).step_by(32) {
                    let (rows, cols) = (tr..(tr + 32).min(g.height), tc..(tc + 32).min(g.width));
                    let (mut inside, mut passing, mut passing_open) = (0, 0, 0);
                    for row in rows.clone() {
                        for col in cols.clone() {
                            let (cx, cy) = g.cell_center(col, row);
                            let Some(c) = locate(&plan, tx.x, tx.y, cx, cy) else { continue };
                            inside += 1;
                            let i = row * g.width + col;
                            passing += cut.passes(tx, i, &c) as usize;
                            passing_open += (!forest(col, row) || open.passes(tx, i, &c)) as usize;
                        }
                    }
                    if block_reach(tx, &plan, g, &cut, rows, cols).is_none() {
                        assert_eq!(passing, 0, "site {cell:?}: block ({tc}, {tr}) passed over with {passing} passing cells");
                        match (inside, passing_open) {
                            (0, _) => beyond += 1,
                            (_, 0) => rule_only += 1,
                            _ => forest_only += 1,
                        }
                    }
                }
            }
            for row in 0..g.height {
                for col in 0..g.width {
                    let (cx, cy) = g.cell_center(col, row);
                    if let Some(c) = locate(&plan, tx.x, tx.y, cx, cy) {
                        if cut.passes(tx, row * g.width + col, &c) {
                            want.push((row * g.width + col, c.s, c.radial));
                        }
                    }
                }
            }
            for_each_located(tx, &plan, g, &cut, |i, c| got.push((i, c.s, c.radial)));
            assert!(want.len() > 1000, "{}", want.len());
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "site {cell:?}");
        }
        assert!(beyond > 10 && rule_only > 10 && forest_only > 10, "{beyond} beyond, {rule_only} by the rule, {forest_only} by the forest");
    }
}
