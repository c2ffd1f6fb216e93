//! Horn's 3 × 3 gradient (Horn 1981, "Hill shading and the reflectance map", Proc. IEEE 69(1)), the
//! one operator behind slope, aspect ([`crate::risk::slope`]) and hillshade
//! ([`crate::tiles::hillshade`]). The weighted sums are taken in `f32` in gdaldem's order
//! (`gdaldem_lib.cpp`: `afWin[0] + afWin[3] + afWin[3] + afWin[6]` …), so results match gdaldem's.

/// The window `z0 z1 z2 / z3 z4 z5 / z6 z7 z8` (row 0 north) → (west − east, south − north) weighted
/// differences: `(z0 + 2 z3 + z6) − (z2 + 2 z5 + z8)` and `(z6 + 2 z7 + z8) − (z0 + 2 z1 + z2)`.
/// Divided by 8 × the cell size they are −∂z/∂x and −∂z/∂y (y north).
///
/// ```
/// // A plane rising 0.3 m per metre east and 0.4 m per metre north, 10 m cells.
/// let z = |c: f32, r: f32| 0.3 * 10.0 * c - 0.4 * 10.0 * r;
/// let win = [z(0., 0.), z(1., 0.), z(2., 0.), z(0., 1.), z(1., 1.), z(2., 1.), z(0., 2.), z(1., 2.), z(2., 2.)];
/// let (we, sn) = covermap::grid::horn::horn_differences(&win);
/// assert!((-we / 80.0 - 0.3).abs() < 1e-6 && (-sn / 80.0 - 0.4).abs() < 1e-6);
/// ```
#[inline]
pub fn horn_differences(z: &[f32; 9]) -> (f32, f32) {
    ((z[0] + z[3] + z[3] + z[6]) - (z[2] + z[5] + z[5] + z[8]), (z[6] + z[7] + z[7] + z[8]) - (z[0] + z[1] + z[1] + z[2]))
}
