//! The D8 neighbourhood shared by the hydrology steps: the eight neighbour offsets, the direction
//! codes stored in flow-direction grids (one byte per cell), the distance to each neighbour and the
//! test for a usable elevation.

/// Column offset of each direction, counter-clockwise from east: E, NE, N, NW, W, SW, S, SE.
pub const DC: [isize; 8] = [1, 1, 0, -1, -1, -1, 0, 1];
/// Row offset of each direction (rows run southwards, so north is −1).
pub const DR: [isize; 8] = [0, -1, -1, -1, 0, 1, 1, 1];

/// The cell drains off the grid or into nodata: a terminal cell (an outlet of the DEM).
pub const OUTLET: u8 = 8;
/// Transient code of a cell with no lower neighbour, before flats are resolved.
pub const NOFLOW: u8 = 9;
/// No elevation here.
pub const NODATA: u8 = 255;

/// The direction pointing back at the sender: `d` seen from the receiver.
#[inline]
pub fn opposite(d: u8) -> u8 {
    (d + 4) & 7
}

/// True for a diagonal direction.
#[inline]
pub fn is_diagonal(d: usize) -> bool {
    d & 1 == 1
}

/// An elevation that takes part in the analysis: finite and not the nodata value.
#[inline]
pub fn is_valid(v: f32, nodata: Option<f32>) -> bool {
    v.is_finite() && Some(v) != nodata
}

/// Distances to the eight neighbours on a grid with cell size `dx` × `dy` (metres).
pub fn distances(dx: f64, dy: f64) -> [f64; 8] {
    let diag = (dx * dx + dy * dy).sqrt();
    [dx, diag, dy, diag, dx, diag, dy, diag]
}

/// Flat index of neighbour `d` of (col, row), when inside a `width` × `height` grid.
#[inline]
pub fn neighbour(col: usize, row: usize, d: usize, width: usize, height: usize) -> Option<usize> {
    let c = col as isize + DC[d];
    let r = row as isize + DR[d];
    if c < 0 || r < 0 || c as usize >= width || r as usize >= height {
        None
    } else {
        Some(r as usize * width + c as usize)
    }
}

/// The index offsets of the eight neighbours on a grid `width` cells wide, in direction order.
pub fn offsets(width: usize) -> [isize; 8] {
    std::array::from_fn(|d| DR[d] * width as isize + DC[d])
}

/// Calls `f` with every neighbour inside the `width` × `height` grid of cell `i` at (col, row), in
/// direction order: by the precomputed `offsets` ([`offsets`]) off the border, which is most cells,
/// bounds-checked ([`neighbour`]) on it.
#[inline(always)]
pub fn for_each_neighbour(i: usize, col: usize, row: usize, width: usize, height: usize, offsets: &[isize; 8], mut f: impl FnMut(usize)) {
    if col > 0 && row > 0 && col + 1 < width && row + 1 < height {
        for &off in offsets {
            f(i.wrapping_add_signed(off));
        }
    } else {
        for d in 0..8 {
            if let Some(n) = neighbour(col, row, d, width, height) {
                f(n);
            }
        }
    }
}

/// Reject grids whose cell indices do not fit the `u32` the hydrology steps store.
pub fn check_size(width: usize, height: usize) -> crate::Result<()> {
    if width == 0 || height == 0 {
        return Err(crate::Error::param("dem", "the DEM grid is empty"));
    }
    if (width as u64) * (height as u64) >= u32::MAX as u64 {
        return Err(crate::Error::param("dem", format!("{width} × {height} cells exceed 2³² − 1")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_directions_cancel() {
        for d in 0..8u8 {
            let o = opposite(d) as usize;
            assert_eq!(DC[d as usize] + DC[o], 0);
            assert_eq!(DR[d as usize] + DR[o], 0);
        }
    }

    #[test]
    fn neighbours_stay_inside() {
        assert_eq!(neighbour(0, 0, 4, 3, 3), None);
        assert_eq!(neighbour(0, 0, 6, 3, 3), Some(3));
        assert_eq!(neighbour(2, 2, 1, 3, 3), None);
        assert_eq!(neighbour(1, 1, 1, 3, 3), Some(2));
    }
}
