//! A synthetic region of several provinces (`covermap demo-data --region N`): N × N tiles, each the
//! province's extent synthesized by the same generators with its own seed (terrain, communes,
//! hamlets, roads, sites, orchards) and translated east and south by whole DEM tiles, so the region
//! is one dataset with one DEM, N² times the province's area and roughly N² times its sites — the
//! input for measuring how a build scales out (issue 16). Tile 0 is the province itself, with the
//! dataset's seed and its codes unchanged: `--region 1` is the default dataset, byte for byte.
//!
//! The real layers the generators start from (province outline, districts, rivers, national roads,
//! towns, hydropower plants) are translated with each tile; the real ones go to `generated/region/`
//! so the region's dataset.toml names only files that cover it. Codes are made unique across tiles
//! by prefixing the tile number (commune `03646` of tile 2 is `203646`; codes have one length per
//! layer, so no two tiles' codes can meet); ids run on across tiles.

use geo::Translate;

use super::real::{self, Real};
use super::rng::mix;
use crate::error::{Error, Result};

/// Largest N: 6 × 6 tiles are ≈ 36 provinces, more than Vietnam's area (≈ 23 × Sơn La).
pub const MAX_REGION: u32 = 6;
/// Most cells in the region's DEM: grid and flow indices are 32-bit.
pub const MAX_CELLS: u64 = u32::MAX as u64;

/// One province-sized tile of the region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tile {
    /// Row-major number, 0 … N² − 1.
    pub index: u32,
    /// Column and row in the N × N layout (row 0 is the north).
    pub col: u32,
    pub row: u32,
    /// Seed of the tile's generators (tile 0: the dataset's seed).
    pub seed: u64,
    /// Translation from the province to this tile (m, working CRS): east, and negative to the south.
    pub dx: f64,
    pub dy: f64,
}

/// The tiles of an N × N region whose province DEM is `width` × `height` cells of `cell` m.
pub fn tiles(n: u32, seed: u64, width: usize, height: usize, cell: f64) -> Vec<Tile> {
    (0..n * n)
        .map(|index| {
            let (col, row) = (index % n, index / n);
            Tile {
                index,
                col,
                row,
                // A distinct stream per tile; tile 0 keeps the seed so N = 1 is the default dataset.
                seed: if index == 0 { seed } else { mix(seed ^ mix(index as u64)) },
                dx: col as f64 * width as f64 * cell,
                dy: -(row as f64 * height as f64 * cell),
            }
        })
        .collect()
}

/// Checks `--region` before anything is written: N in 1…[`MAX_REGION`] and the region's DEM
/// (N² tiles of `width` × `height` cells) within [`MAX_CELLS`].
pub fn check(n: u32, width: usize, height: usize, resolution_m: f64) -> Result<()> {
    if !(1..=MAX_REGION).contains(&n) {
        return Err(Error::param("region", format!("{n} is outside 1–{MAX_REGION} (provinces along each side of the region)")));
    }
    let cells = (n as u64 * width as u64) * (n as u64 * height as u64);
    if cells > MAX_CELLS {
        return Err(Error::param(
            "region",
            format!(
                "{n} × {n} provinces at {resolution_m} m make a DEM of {}×{} = {cells} cells, more than {MAX_CELLS}; use a smaller --region or a coarser --resolution",
                n as usize * width,
                n as usize * height
            ),
        ));
    }
    Ok(())
}

/// A code made unique across tiles (tile 0 keeps it).
pub fn code(tile: &Tile, code: &str) -> String {
    if tile.index == 0 {
        code.to_string()
    } else {
        format!("{}{code}", tile.index)
    }
}

/// The real data moved to `tile` (codes are left as they are: the generators key on the real
/// codes; they are made unique when written).
pub fn translate(real: &mut Real, tile: &Tile) {
    let (dx, dy) = (tile.dx, tile.dy);
    if tile.index == 0 {
        return;
    }
    real.province.translate_mut(dx, dy);
    for d in &mut real.districts {
        d.geom.translate_mut(dx, dy);
    }
    for c in &mut real.communes {
        if let Some(p) = c.point.as_mut() {
            p.translate_mut(dx, dy);
        }
    }
    for l in real.rivers.iter_mut().chain(real.roads.iter_mut()) {
        l.geom.translate_mut(dx, dy);
    }
    for t in &mut real.towns {
        t.pos.translate_mut(dx, dy);
    }
    for b in &mut real.basins {
        b.translate_mut(dx, dy);
    }
}

/// The real layers a region's dataset.toml names: (embedded source, file written under
/// `generated/region/`, property holding a code that other layers refer to).
pub const REAL_LAYERS: [(&str, &str, Option<&str>); 5] = [
    ("real/admin/son_la_province_gisgov_2019.geojson", "province.geojson", None),
    ("real/admin/son_la_districts_gisgov_2019.geojson", "districts.geojson", Some("gso_district_code")),
    ("real/hydro/son_la_rivers_gms_adb_strahler.geojson", "rivers.geojson", None),
    ("real/places/son_la_geonames_cities500.geojson", "towns.geojson", None),
    ("real/infra/son_la_hydropower_plants_legocity.geojson", "hydropower.geojson", None),
];

/// Writes every real layer of [`REAL_LAYERS`] once per tile, translated, with its properties (so
/// the default dataset's `fields` mappings still apply) and its codes made unique.
pub fn write_real_layers(tiles: &[Tile], crs: &str, dir: &std::path::Path) -> Result<()> {
    let t = crate::crs::Transformer::new("EPSG:4326", crs)?;
    for (src, name, code_prop) in REAL_LAYERS {
        let features = real::features(src)?;
        let mut w = super::output::GeoJsonWriter::new(name.trim_end_matches(".geojson"), crs)?;
        for tile in tiles {
            for f in &features {
                let mut g = real::geom(src, f, &t)?;
                g.translate_mut(tile.dx, tile.dy);
                let mut props = f.properties.clone().unwrap_or_default();
                if let Some(k) = code_prop {
                    let v = real::prop(f, k);
                    props.insert(k.to_string(), serde_json::Value::String(code(tile, &v)));
                }
                w.add(&g, props)?;
            }
        }
        w.write(&dir.join(name))?;
    }
    Ok(())
}

/// Copies a tile's DEM into the region's at its place (tiles are `tile_dem`'s size).
pub fn place<T: Copy>(region: &mut crate::grid::Grid<T>, tile_dem: &crate::grid::Grid<T>, tile: &Tile) {
    let (w, h) = (tile_dem.width, tile_dem.height);
    let (c0, r0) = (tile.col as usize * w, tile.row as usize * h);
    for r in 0..h {
        let dst = (r0 + r) * region.width + c0;
        region.data[dst..dst + w].copy_from_slice(&tile_dem.data[r * w..(r + 1) * w]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_laid_out_row_major_and_abut() {
        // 2 × 2 tiles of 10 × 8 cells of 90 m: tile 3 is one tile east and one south.
        let t = tiles(2, 7, 10, 8, 90.0);
        assert_eq!(t.len(), 4);
        assert_eq!((t[0].dx, t[0].dy, t[0].seed), (0.0, 0.0, 7));
        assert_eq!((t[1].col, t[1].row, t[1].dx, t[1].dy), (1, 0, 900.0, 0.0));
        assert_eq!((t[3].col, t[3].row, t[3].dx, t[3].dy), (1, 1, 900.0, -720.0));
        let seeds: std::collections::BTreeSet<u64> = t.iter().map(|x| x.seed).collect();
        assert_eq!(seeds.len(), 4, "every tile has its own seed");
    }

    #[test]
    fn codes_stay_unique_across_tiles() {
        let t = tiles(6, 1, 1, 1, 1.0);
        assert_eq!(code(&t[0], "03646"), "03646");
        assert_eq!(code(&t[2], "03646"), "203646");
        let all: std::collections::BTreeSet<String> = t.iter().flat_map(|x| ["03646", "36460", "00364"].map(|c| code(x, c))).collect();
        assert_eq!(all.len(), 3 * 36);
    }

    #[test]
    fn region_outside_its_range_is_refused_by_name() {
        for n in [0, MAX_REGION + 1] {
            let e = check(n, 100, 100, 90.0).unwrap_err().to_string();
            assert!(e.contains("region") && e.contains(&n.to_string()), "{e}");
        }
        // The Sơn La DEM at 5 m is ≈ 40,000 × 34,000 cells: 2 × 2 of it passes 2³² cells.
        let e = check(2, 40_000, 34_000, 5.0).unwrap_err().to_string();
        assert!(e.contains("region") && e.contains("coarser --resolution"), "{e}");
        check(6, 2_200, 1_900, 90.0).unwrap();
    }

    #[test]
    fn a_tile_lands_at_its_place_in_the_region() {
        use crate::grid::{GeoTransform, Grid};
        let gt = GeoTransform { x0: 0.0, y0: 0.0, dx: 1.0, dy: 1.0 };
        let mut region = Grid::new(4, 4, gt, 0f32, None);
        let tile_dem = Grid { width: 2, height: 2, transform: gt, nodata: None, data: vec![1.0, 2.0, 3.0, 4.0] };
        place(&mut region, &tile_dem, &tiles(2, 0, 2, 2, 1.0)[3]);
        assert_eq!(region.data, vec![0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 2., 0., 0., 3., 4.]);
    }
}
