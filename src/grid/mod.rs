//! Georeferenced rasters: [`Grid<T>`], a north-up grid of cells in a projected CRS, with the
//! cell/world transforms, sampling and block iteration every analysis (radio, hydrology, UAV) shares.
//! Reading and writing files (GeoTIFF, COG, SRTM .hgt, anything GDAL opens) lives in [`io`].

pub mod distance;
pub mod horn;
pub mod io;
pub mod metric_dem;
pub mod rasterize;
pub mod union_find;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// `len` copies of `v`, written on every core when large ([`filled_with`]).
pub fn filled<T: Copy + Send + Sync>(len: usize, v: T) -> Vec<T> {
    filled_with(len, || v)
}

/// `len` values made by `make`, written on every core when large: a fresh province-sized grid (38 M
/// cells) is faulted into memory page by page as it is first written, which on one thread is a
/// serial stretch of every stage that allocates one (the build faulted in ~10 GB). Small ones (a
/// tile, a test grid) are not worth a parallel task.
pub fn filled_with<T: Send>(len: usize, make: impl Fn() -> T + Sync + Send) -> Vec<T> {
    if len < 1 << 20 {
        return (0..len).map(|_| make()).collect();
    }
    (0..len).into_par_iter().map(|_| make()).collect()
}

/// Affine placement of a north-up grid: the top-left corner of cell (0, 0) and the cell size.
/// `dy` is the (positive) cell height; rows run southwards.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoTransform {
    pub x0: f64,
    pub y0: f64,
    pub dx: f64,
    pub dy: f64,
}

impl GeoTransform {
    /// GDAL's six-term transform (north-up: terms 2 and 4 are zero, term 5 negative).
    pub fn to_gdal(&self) -> [f64; 6] {
        [self.x0, self.dx, 0.0, self.y0, 0.0, -self.dy]
    }

    pub fn from_gdal(t: &[f64; 6]) -> Option<Self> {
        if t[2] != 0.0 || t[4] != 0.0 || t[1] <= 0.0 || t[5] >= 0.0 {
            return None;
        }
        Some(Self { x0: t[0], y0: t[3], dx: t[1], dy: -t[5] })
    }
}

/// Bounding box in the grid's CRS.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Bounds {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y
    }
    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }
    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }
}

/// A raster of `T` in row-major order (row 0 is the northern edge).
#[derive(Debug, Clone)]
pub struct Grid<T> {
    pub width: usize,
    pub height: usize,
    pub transform: GeoTransform,
    /// Value meaning "no data" (also written to files as the band's nodata value).
    pub nodata: Option<T>,
    pub data: Vec<T>,
}

impl<T: Copy + PartialEq + Send + Sync> Grid<T> {
    pub fn new(width: usize, height: usize, transform: GeoTransform, fill: T, nodata: Option<T>) -> Self {
        Self { width, height, transform, nodata, data: filled(width * height, fill) }
    }

    /// A grid whose cell (col, row) is `value(col, row)` (computed row by row, west to east).
    pub fn from_fn(width: usize, height: usize, transform: GeoTransform, nodata: Option<T>, mut value: impl FnMut(usize, usize) -> T) -> Self {
        let data = (0..height).flat_map(|r| (0..width).map(move |c| (c, r))).map(|(c, r)| value(c, r)).collect();
        Self { width, height, transform, nodata, data }
    }

    /// Set every cell of columns `cols` × rows `rows` to `v`.
    pub fn fill_block(&mut self, cols: std::ops::Range<usize>, rows: std::ops::Range<usize>, v: T) {
        for r in rows {
            self.data[r * self.width + cols.start..r * self.width + cols.end].fill(v);
        }
    }

    /// A grid with the same shape and placement as `self`, filled with `fill`.
    pub fn like<U: Copy + PartialEq + Send + Sync>(&self, fill: U, nodata: Option<U>) -> Grid<U> {
        Grid::new(self.width, self.height, self.transform, fill, nodata)
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    #[inline]
    pub fn index(&self, col: usize, row: usize) -> usize {
        row * self.width + col
    }

    #[inline]
    pub fn get(&self, col: usize, row: usize) -> T {
        self.data[row * self.width + col]
    }

    #[inline]
    pub fn set(&mut self, col: usize, row: usize, v: T) {
        let i = row * self.width + col;
        self.data[i] = v;
    }

    /// The value at (col, row) when inside the grid and not nodata.
    #[inline]
    pub fn value(&self, col: isize, row: isize) -> Option<T> {
        if col < 0 || row < 0 || col as usize >= self.width || row as usize >= self.height {
            return None;
        }
        let v = self.get(col as usize, row as usize);
        if Some(v) == self.nodata {
            None
        } else {
            Some(v)
        }
    }

    #[inline]
    pub fn is_nodata(&self, v: T) -> bool {
        Some(v) == self.nodata
    }

    /// Centre of cell (col, row) in world coordinates.
    #[inline]
    pub fn cell_center(&self, col: usize, row: usize) -> (f64, f64) {
        let t = &self.transform;
        (t.x0 + (col as f64 + 0.5) * t.dx, t.y0 - (row as f64 + 0.5) * t.dy)
    }

    /// Fractional cell coordinates of a world point (cell (0,0)'s top-left corner is (0.0, 0.0)).
    #[inline]
    pub fn world_to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let t = &self.transform;
        ((x - t.x0) / t.dx, (t.y0 - y) / t.dy)
    }

    /// The cell holding a world point, if it is inside the grid.
    #[inline]
    pub fn cell_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (px, py) = self.world_to_pixel(x, y);
        if px < 0.0 || py < 0.0 {
            return None;
        }
        let (c, r) = (px.floor() as usize, py.floor() as usize);
        if c < self.width && r < self.height {
            Some((c, r))
        } else {
            None
        }
    }

    pub fn bounds(&self) -> Bounds {
        let t = &self.transform;
        Bounds {
            min_x: t.x0,
            max_x: t.x0 + self.width as f64 * t.dx,
            max_y: t.y0,
            min_y: t.y0 - self.height as f64 * t.dy,
        }
    }

    /// Number of cells equal to the nodata value.
    pub fn count_nodata(&self) -> usize {
        match self.nodata {
            None => 0,
            Some(nd) => self.data.iter().filter(|v| **v == nd).count(),
        }
    }

    /// Apply `f` to every cell, in parallel by rows.
    pub fn map<U: Copy + PartialEq + Send + Sync>(&self, nodata: Option<U>, f: impl Fn(T) -> U + Sync) -> Grid<U> {
        use rayon::prelude::*;
        Grid {
            width: self.width,
            height: self.height,
            transform: self.transform,
            nodata,
            data: self.data.par_iter().map(|v| f(*v)).collect(),
        }
    }
}

impl Grid<f32> {
    /// Bilinear interpolation at a world point; `None` outside the grid or next to nodata.
    pub fn sample_bilinear(&self, x: f64, y: f64) -> Option<f32> {
        let (px, py) = self.world_to_pixel(x, y);
        let (fx, fy) = (px - 0.5, py - 0.5);
        let (c0, r0) = (fx.floor(), fy.floor());
        let (tx, ty) = ((fx - c0) as f32, (fy - r0) as f32);
        let (c0, r0) = (c0 as isize, r0 as isize);
        // Clamp at the border so points in the outer half-cell still sample.
        let clamp = |c: isize, r: isize| {
            self.value(c.clamp(0, self.width as isize - 1), r.clamp(0, self.height as isize - 1))
        };
        if px < 0.0 || py < 0.0 || px > self.width as f64 || py > self.height as f64 {
            return None;
        }
        let a = clamp(c0, r0)?;
        let b = clamp(c0 + 1, r0)?;
        let c = clamp(c0, r0 + 1)?;
        let d = clamp(c0 + 1, r0 + 1)?;
        let top = a + (b - a) * tx;
        let bot = c + (d - c) * tx;
        Some(top + (bot - top) * ty)
    }

    /// Minimum and maximum of the valid cells.
    pub fn min_max(&self) -> Option<(f32, f32)> {
        use rayon::prelude::*;
        let nd = self.nodata;
        self.data
            .par_iter()
            .filter(|v| Some(**v) != nd && v.is_finite())
            .fold(|| None, |acc: Option<(f32, f32)>, v| Some(acc.map_or((*v, *v), |(a, b)| (a.min(*v), b.max(*v)))))
            .reduce(|| None, |a, b| match (a, b) {
                (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
                (x, None) | (None, x) => x,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_is_len_copies_either_way() {
        for len in [0, 5, (1 << 20) - 1, 1 << 20, 3 << 20] {
            let v = filled(len, f32::NAN);
            assert_eq!(v.len(), len);
            assert!(v.iter().all(|x| x.is_nan()));
        }
        assert_eq!(filled(3 << 20, -9999i32), vec![-9999i32; 3 << 20]);
    }

    fn grid() -> Grid<f32> {
        let t = GeoTransform { x0: 1000.0, y0: 2000.0, dx: 10.0, dy: 10.0 };
        Grid::from_fn(4, 3, t, Some(-9999.0), |c, r| (c + 10 * r) as f32)
    }

    #[test]
    fn transforms_round_trip() {
        let g = grid();
        assert_eq!(g.cell_center(0, 0), (1005.0, 1995.0));
        assert_eq!(g.cell_of(1005.0, 1995.0), Some((0, 0)));
        assert_eq!(g.cell_of(1039.9, 1970.1), Some((3, 2)));
        assert_eq!(g.cell_of(1040.1, 1995.0), None);
        let b = g.bounds();
        assert_eq!((b.min_x, b.min_y, b.max_x, b.max_y), (1000.0, 1970.0, 1040.0, 2000.0));
        let gt = g.transform.to_gdal();
        assert_eq!(GeoTransform::from_gdal(&gt), Some(g.transform));
    }

    #[test]
    fn bilinear_matches_plane() {
        // The test grid is the plane v = col + 10 row, which bilinear interpolation reproduces exactly.
        let g = grid();
        let v = g.sample_bilinear(1020.0, 1980.0).unwrap(); // pixel (2.0, 2.0) → centre-based (1.5, 1.5)
        assert!((v - 16.5).abs() < 1e-5, "{v}");
        assert_eq!(g.sample_bilinear(900.0, 1980.0), None);
    }

    #[test]
    fn nodata_is_not_a_value() {
        let mut g = grid();
        g.set(1, 1, -9999.0);
        assert_eq!(g.value(1, 1), None);
        assert_eq!(g.count_nodata(), 1);
        assert_eq!(g.min_max(), Some((0.0, 23.0)));
    }
}
