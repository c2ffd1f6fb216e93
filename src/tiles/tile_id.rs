//! WebMercatorQuad tile addressing (XYZ scheme: x eastwards, y southwards from the north-west corner,
//! as OGC 2D TileMatrixSet "WebMercatorQuad" and every slippy map use): tile ids validated from
//! request parameters, tile bounds in EPSG:3857 and lon/lat, the tiles covering an area, and the
//! zoom matching a ground resolution.

use crate::crs::{lonlat_to_mercator, mercator_to_lonlat};
use crate::error::{Error, Result};
use crate::grid::Bounds;

/// Half the width of the EPSG:3857 world square (π·6378137 m).
pub const WORLD_HALF: f64 = 20_037_508.342_789_244;

/// The deepest zoom served. Beyond it tiles would be smaller than a centimetre-class UAV pixel.
pub const MAX_ZOOM: u8 = 24;

/// Pixels across a raster tile (and the display size a vector tile is generalized for).
pub const TILE_PIXELS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Validate a tile address from a request: `z` in 0..=[`MAX_ZOOM`], `x` and `y` in 0..2^z.
    pub fn new(z: u64, x: u64, y: u64) -> Result<Self> {
        if z > MAX_ZOOM as u64 {
            return Err(Error::param("z", format!("zoom {z} is out of range 0..={MAX_ZOOM}")));
        }
        let n = 1u64 << z;
        if x >= n {
            return Err(Error::param("x", format!("column {x} is out of range 0..{n} at zoom {z}")));
        }
        if y >= n {
            return Err(Error::param("y", format!("row {y} is out of range 0..{n} at zoom {z}")));
        }
        Ok(Self { z: z as u8, x: x as u32, y: y as u32 })
    }

    /// Width of the tile in EPSG:3857 metres.
    #[inline]
    pub fn size_m(&self) -> f64 {
        tile_size_m(self.z)
    }

    /// The tile's square in EPSG:3857.
    pub fn bounds(&self) -> Bounds {
        let s = self.size_m();
        let min_x = -WORLD_HALF + self.x as f64 * s;
        let max_y = WORLD_HALF - self.y as f64 * s;
        Bounds { min_x, min_y: max_y - s, max_x: min_x + s, max_y }
    }

    /// The tile's square grown on every side by `fraction` of its width (the MVT buffer).
    pub fn buffered_bounds(&self, fraction: f64) -> Bounds {
        let b = self.bounds();
        let m = self.size_m() * fraction;
        Bounds { min_x: b.min_x - m, min_y: b.min_y - m, max_x: b.max_x + m, max_y: b.max_y + m }
    }

    /// West, south, east, north in degrees.
    pub fn lonlat_bounds(&self) -> [f64; 4] {
        let b = self.bounds();
        let (w, s) = mercator_to_lonlat(b.min_x, b.min_y);
        let (e, n) = mercator_to_lonlat(b.max_x, b.max_y);
        [w, s, e, n]
    }

    /// The tile's row in the TMS scheme (y northwards), as MBTiles stores it.
    #[inline]
    pub fn tms_y(&self) -> u32 {
        ((1u64 << self.z) - 1 - self.y as u64) as u32
    }
}

impl std::fmt::Display for TileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Width of a tile at zoom `z` in EPSG:3857 metres.
#[inline]
pub fn tile_size_m(z: u8) -> f64 {
    2.0 * WORLD_HALF / (1u64 << z) as f64
}

/// The inclusive column and row ranges of the tiles at zoom `z` that intersect `b` (EPSG:3857).
pub fn tile_range(b: &Bounds, z: u8) -> (std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>) {
    let n = (1u64 << z) as f64;
    let s = tile_size_m(z);
    let col = |x: f64| (((x + WORLD_HALF) / s).floor().clamp(0.0, n - 1.0)) as u32;
    let row = |y: f64| (((WORLD_HALF - y) / s).floor().clamp(0.0, n - 1.0)) as u32;
    (col(b.min_x)..=col(b.max_x), row(b.max_y)..=row(b.min_y))
}

/// Every tile at zoom `z` intersecting `b`, row-major.
pub fn tiles_covering(b: &Bounds, z: u8) -> Vec<TileId> {
    let (cols, rows) = tile_range(b, z);
    let mut out = Vec::with_capacity(cols.clone().count() * rows.clone().count());
    for y in rows {
        for x in cols.clone() {
            out.push(TileId { z, x, y });
        }
    }
    out
}

/// The smallest zoom whose pixels (on `TILE_PIXELS`-wide tiles) are no coarser than `ground_m` metres of
/// ground at latitude `lat` — the zoom at which a raster of that resolution is shown at full detail.
pub fn zoom_for_resolution(ground_m: f64, lat: f64) -> u8 {
    let scale = lat.to_radians().cos().max(1e-6);
    for z in 0..=MAX_ZOOM {
        let px = tile_size_m(z) / TILE_PIXELS as f64 * scale;
        if px <= ground_m {
            return z;
        }
    }
    MAX_ZOOM
}

/// EPSG:3857 bounds of a lon/lat box (exact: the projection is separable in lon and lat).
pub fn lonlat_to_mercator_bounds(w: f64, s: f64, e: f64, n: f64) -> Bounds {
    let (min_x, min_y) = lonlat_to_mercator(w, s);
    let (max_x, max_y) = lonlat_to_mercator(e, n);
    Bounds { min_x, min_y, max_x, max_y }
}

/// Lon/lat box (west, south, east, north) of EPSG:3857 bounds.
pub fn mercator_to_lonlat_bounds(b: &Bounds) -> [f64; 4] {
    let (w, s) = mercator_to_lonlat(b.min_x, b.min_y);
    let (e, n) = mercator_to_lonlat(b.max_x, b.max_y);
    [w, s, e, n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_bounds_match_reference() {
        // Reference: OGC 17-083r2 Annex E (WebMercatorQuad): tile 0/0/0 spans ±20037508.3427892 m.
        let b = TileId::new(0, 0, 0).unwrap().bounds();
        assert!((b.min_x + WORLD_HALF).abs() < 1e-6 && (b.max_y - WORLD_HALF).abs() < 1e-6);
        // Sơn La city (103.9 E, 21.33 N) at zoom 10 lies in tile 807/449 — the standard slippy-map formula
        // x = floor((lon+180)/360·2^z) = floor(807.5), y = floor((1 − ln(tan φ + sec φ)/π)/2·2^z) = floor(449.9)
        // (OSM wiki "Slippy map tilenames").
        let t = TileId::new(10, 807, 449).unwrap();
        let [w, s, e, n] = t.lonlat_bounds();
        assert!(w <= 103.9 && 103.9 < e && s <= 21.33 && 21.33 < n, "{w} {s} {e} {n}");
        assert_eq!(t.tms_y(), 1023 - 449);
    }

    #[test]
    fn invalid_addresses_are_named() {
        assert!(matches!(TileId::new(25, 0, 0), Err(Error::Param { name, .. }) if name == "z"));
        assert!(matches!(TileId::new(3, 8, 0), Err(Error::Param { name, .. }) if name == "x"));
        assert!(matches!(TileId::new(3, 0, 9), Err(Error::Param { name, .. }) if name == "y"));
    }

    #[test]
    fn covering_tiles() {
        let b = lonlat_to_mercator_bounds(103.0, 20.5, 105.0, 22.0);
        let tiles = tiles_covering(&b, 8);
        // At z8 a tile is 1.40625° wide: lon 103..105 → columns 201..202.
        assert!(tiles.iter().all(|t| (201..=202).contains(&t.x)));
        assert_eq!(tiles.len(), 2 * tile_range(&b, 8).1.count());
    }

    #[test]
    fn resolution_zoom() {
        // 30 m at 21° N: zoom 12 pixels are 38.2·cos21° = 35.7 m, zoom 13 17.8 m → 13.
        assert_eq!(zoom_for_resolution(30.0, 21.0), 13);
    }
}
