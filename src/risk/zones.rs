//! Hazard zones: a class raster generalised into polygons for the `risk_zones` layer.
//!
//! Steps: one 3 × 3 majority filter (removes salt-and-pepper cells), a sieve that merges regions
//! smaller than `zone_min_area_m2` into their largest neighbour (so no speck, and no speck-shaped
//! hole, survives), 4-connected regions cut into pieces along commune boundaries (each zone carries
//! its `commune_code`), traced into polygons ([`super::polygonize`]), then bounded corner cutting
//! ([`super::smooth`]) that turns the cell staircase into straight and rounded lines; holes smaller
//! than `zone_min_area_m2` are dropped. A piece still above [`MAX_ZONE_VERTICES`] is cut again along a
//! fixed grid of cells aligned to the raster (256 cells, halved until every piece fits): GDAL's
//! GeoJSON reader (and so QGIS through OGC API – Features) rejects features of millions of vertices,
//! and a web client cannot draw them. Only classes ≥ `zone_min_class` (default 3: moderate, high,
//! very high) are stored — the lower classes cover most of the province and would only repeat its
//! outline. `area_m2` is the planar area of the stored (smoothed) polygon. Pieces are smoothed
//! independently, so neighbouring zones may overlap or leave slivers of up to half a cell along
//! shared borders; the class rasters remain the exact reference.

use geo::{Area, Polygon};
use rayon::prelude::*;

use super::params::RiskParams;
use super::polygonize::{polygonize, signed_area};
use super::regions::{label_by_key, label_by_key_in, label_in, majority, sieve_in};
use super::smooth::smooth_polygon;
use crate::grid::Grid;
use crate::store::{FieldType, GeomKind, Layer, Value};

pub const LAYER: &str = "risk_zones";

/// Most vertices (all rings, closing points included) of one stored zone.
pub const MAX_ZONE_VERTICES: usize = 20_000;
/// Side (cells) of the first grid cutting pieces still above the vertex limit; halved per round.
const FIRST_GRID_CELLS: usize = 256;
/// Below this block side a piece is stored as it is (a 4 × 4-cell piece has at most 32 corners).
const MIN_GRID_CELLS: usize = 4;

/// How class rasters become zones.
#[derive(Debug, Clone, Copy)]
pub struct ZoneOptions {
    pub min_class: u8,
    pub min_area_m2: f64,
    pub smoothing_iterations: usize,
    /// Most vertices of one zone ([`MAX_ZONE_VERTICES`] in the build).
    pub max_vertices: usize,
}

impl ZoneOptions {
    /// The build's options: the `[risk]` zone parameters and [`MAX_ZONE_VERTICES`].
    pub fn of(params: &RiskParams) -> Self {
        Self {
            min_class: params.zone_min_class,
            min_area_m2: params.zone_min_area_m2,
            smoothing_iterations: params.zone_smoothing_iterations,
            max_vertices: MAX_ZONE_VERTICES,
        }
    }
}

/// Administrative units zones are cut along: per cell 1 + the unit's index (0 = outside every unit,
/// as [`super::exposure::commune_raster`] burns them) and each unit's code.
pub struct Units<'a> {
    pub grid: &'a Grid<u16>,
    pub codes: Vec<&'a str>,
}

/// A new, empty `risk_zones` layer.
pub fn new_layer(crs: &str) -> Layer {
    Layer::new(
        LAYER,
        GeomKind::Polygon,
        crs,
        &[("hazard", FieldType::Text), ("class", FieldType::Integer), ("commune_code", FieldType::Text), ("area_m2", FieldType::Real)],
    )
}

/// Vertices of a polygon, every ring's closing point included (as GeoJSON and WKB count them).
pub fn vertex_count(p: &Polygon<f64>) -> usize {
    p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
}

/// A traced piece as stored: smoothed, holes below `min_area_m2` dropped.
fn shape(p: &Polygon<f64>, cell: f64, opt: &ZoneOptions) -> Polygon<f64> {
    let s = smooth_polygon(p, cell, opt.smoothing_iterations);
    let (ext, holes) = s.into_inner();
    let holes = holes.into_iter().filter(|h| signed_area(&h.0).abs() >= opt.min_area_m2).collect();
    Polygon::new(ext, holes)
}

/// Append the zones of one hazard's classes to `layer`, cut along `units` when given; returns how
/// many were added.
pub fn add_zones(layer: &mut Layer, hazard: &str, classes: &Grid<u8>, units: Option<&Units>, opt: &ZoneOptions) -> usize {
    let (w, h) = (classes.width, classes.height);
    let t = classes.transform;
    let cell = t.dx.min(t.dy);
    let min_cells = (opt.min_area_m2 / (t.dx * t.dy)).ceil().max(1.0) as u32;
    let mut cls = majority(classes);
    // Two province-sized label buffers serve every labelling below, each reused once the one
    // before is done with (eight fresh 150 MB grids a hazard were a fifth of the build's page faults).
    let (_, spare) = sieve_in(Vec::new(), &mut cls, min_cells);
    let reg = label_in(spare, &cls);
    drop(cls);
    let unit_of = |i: usize| units.map_or(0, |u| u.grid.data[i]);
    // Pieces: the cells of one kept region within one unit. `info[l]` = (class, unit) of piece l.
    let (mut labels, keys) = label_by_key(w, h, |i| {
        let l = reg.labels[i] as usize;
        (l != 0 && reg.class[l] >= opt.min_class && reg.size[l] >= min_cells).then(|| (l as u32, unit_of(i)))
    });
    let mut info: Vec<(u8, u16)> = keys.iter().map(|k| k.map_or((0, 0), |(l, u)| (reg.class[l as usize], u))).collect();
    let mut spare = reg.labels;

    let mut out: Vec<(u8, u16, Polygon<f64>)> = Vec::new();
    let mut block = FIRST_GRID_CELLS;
    loop {
        let shaped: Vec<(u32, Polygon<f64>)> =
            polygonize(&labels, w, h, &t, |_| true).into_par_iter().map(|(l, p)| (l, shape(&p, cell, opt))).collect();
        let mut too_big = vec![false; info.len()];
        let mut any = false;
        for (l, p) in shaped {
            if vertex_count(&p) > opt.max_vertices && block >= MIN_GRID_CELLS {
                too_big[l as usize] = true;
                any = true;
            } else {
                let (class, unit) = info[l as usize];
                out.push((class, unit, p));
            }
        }
        if !any {
            break;
        }
        // Cut the oversized pieces along the grid of `block` cells and trace them again.
        let nbx = w.div_ceil(block);
        let (sub, subkeys) = label_by_key_in(spare, w, h, |i| {
            let l = labels[i] as usize;
            (l != 0 && too_big[l]).then(|| (l as u32, ((i / w) / block * nbx + (i % w) / block) as u32))
        });
        info = subkeys.iter().map(|k| k.map_or((0, 0), |(l, _)| info[l as usize])).collect();
        spare = std::mem::replace(&mut labels, sub);
        block /= 2;
    }

    let first = layer.features.len() as i64;
    let n = out.len();
    for (k, (class, unit, p)) in out.into_iter().enumerate() {
        let area = p.unsigned_area();
        let code = match (units, unit) {
            (Some(u), 1..) => u.codes.get(unit as usize - 1).map_or(Value::Null, |c| Value::Text(c.to_string())),
            _ => Value::Null,
        };
        layer.push(first + k as i64 + 1, Some(p.into()), vec![hazard.into(), (class as i64).into(), code, area.into()]);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    /// `w` × `h` cells of 30 m of class 1, the lower-left corner at the origin.
    fn class_1(w: usize, h: usize) -> Grid<u8> {
        let t = GeoTransform { x0: 0.0, y0: h as f64 * 30.0, dx: 30.0, dy: 30.0 };
        Grid::new(w, h, t, 1u8, Some(0))
    }

    /// The build's zone options with the default `[risk]` parameters (classes ≥ 3, 5 ha, 2 smoothing
    /// iterations, at most [`MAX_ZONE_VERTICES`]).
    fn defaults() -> ZoneOptions {
        ZoneOptions::of(&RiskParams::default())
    }

    #[test]
    fn zones_keep_big_regions_and_drop_specks() {
        // 60 × 40 cells of 30 m: class 1 background, a 20 × 20 block of class 4 (36 ha) and an
        // isolated 2 × 2 block of class 5 (0.36 ha) — below the 5 ha minimum, so it is sieved away.
        let mut g = class_1(60, 40);
        g.fill_block(10..30, 10..30, 4);
        g.fill_block(45..47, 5..7, 5);
        let mut layer = new_layer("EPSG:32648");
        let n = add_zones(&mut layer, "landslide", &g, None, &defaults());
        assert_eq!(n, 1);
        let f = &layer.features[0];
        assert_eq!(f.values[1], crate::store::Value::Int(4));
        // The majority filter takes the block's four corner cells (5 of their 9 neighbours are
        // class 1): 400 − 4 cells = 356,400 m²; smoothing then only rounds corners (< 0.5 %).
        assert_eq!(f.values[2], crate::store::Value::Null, "no units given: no commune code");
        let a = f.values[3].as_f64().unwrap();
        assert!((a - 356_400.0).abs() / 356_400.0 < 0.005, "{a}");
    }

    /// SplitMix64 finaliser: a fixed pseudo-random value per (a, b).
    fn hash(a: u64, b: u64) -> u64 {
        let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// One class-4 region on class 1: a spine along the top with 100 ragged teeth hanging from it
    /// (widths and offsets change every two rows), 1,200 × 600 cells of 30 m.
    fn ragged_comb() -> Grid<u8> {
        let (w, h) = (1200, 600);
        let t = GeoTransform { x0: 500_000.0, y0: 2_400_000.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(w, h, t, 1u8, Some(0));
        g.fill_block(0..w, 0..12, 4);
        for j in 0..100u64 {
            for r in 12..h - 4 {
                let v = hash(j, (r / 2) as u64);
                let (width, off) = (3 + (v % 4) as usize, ((v >> 8) % 3) as usize);
                let x0 = j as usize * 12 + off;
                for c in x0..x0 + width {
                    g.set(c, r, 4);
                }
            }
        }
        g
    }

    #[test]
    fn a_region_of_100k_vertices_is_cut_into_pieces_with_the_same_area() {
        let g = ragged_comb();
        let opt = ZoneOptions { min_area_m2: 1800.0, max_vertices: usize::MAX, ..defaults() };
        let mut whole = new_layer("EPSG:32648");
        assert_eq!(add_zones(&mut whole, "landslide", &g, None, &opt), 1);
        let Some(geo::Geometry::Polygon(p)) = &whole.features[0].geometry else { panic!() };
        let n = vertex_count(p);
        assert!(n >= 100_000, "the synthetic region has {n} vertices");
        let area = whole.features[0].values[3].as_f64().unwrap();

        let mut cut = new_layer("EPSG:32648");
        let k = add_zones(&mut cut, "landslide", &g, None, &ZoneOptions { max_vertices: MAX_ZONE_VERTICES, ..opt });
        assert!(k >= n / MAX_ZONE_VERTICES, "{k} pieces");
        let mut total = 0.0;
        for f in &cut.features {
            let Some(geo::Geometry::Polygon(p)) = &f.geometry else { panic!() };
            assert!(vertex_count(p) <= MAX_ZONE_VERTICES, "{}", vertex_count(p));
            assert_eq!(f.values[1], crate::store::Value::Int(4));
            total += p.unsigned_area();
        }
        assert!((total - area).abs() / area < 0.001, "pieces {total} m² vs whole {area} m²");
    }

    #[test]
    fn zones_are_cut_along_communes_and_carry_their_code() {
        // A 40 × 20-cell class-5 block straddling two communes split at column 30.
        let mut g = class_1(60, 40);
        g.fill_block(10..50, 10..30, 5);
        let units = Grid::from_fn(60, 40, g.transform, None, |c, _| if c >= 30 { 2u16 } else { 1 });
        let u = Units { grid: &units, codes: vec!["04000", "04003"] };
        let mut layer = new_layer("EPSG:32648");
        assert_eq!(add_zones(&mut layer, "flash_flood", &g, Some(&u), &defaults()), 2);
        let codes: Vec<_> = layer.features.iter().map(|f| f.values[2].clone()).collect();
        assert!(codes.contains(&"04000".into()) && codes.contains(&"04003".into()), "{codes:?}");
        for f in &layer.features {
            let b = geo::BoundingRect::bounding_rect(f.geometry.as_ref().unwrap()).unwrap();
            let west = f.values[2] == "04000".into();
            assert!(if west { b.max().x <= 900.0 } else { b.min().x >= 900.0 }, "{:?} {b:?}", f.values[2]);
        }
    }

    #[test]
    fn holes_below_the_minimum_area_are_dropped() {
        // A 30 × 30 block of class 4 around a 3 × 3-cell nodata hole (8,100 m²; the sieve never
        // fills nodata, so only the hole rule can remove it).
        let mut g = class_1(50, 50);
        g.fill_block(10..40, 10..40, 4);
        g.fill_block(20..23, 20..23, 0);
        let opt = ZoneOptions { min_area_m2: 5_000.0, ..defaults() };
        let mut keep = new_layer("EPSG:32648");
        add_zones(&mut keep, "landslide", &g, None, &opt);
        let Some(geo::Geometry::Polygon(p)) = &keep.features[0].geometry else { panic!() };
        assert_eq!(p.interiors().len(), 1, "an 8,100 m² hole above a 5,000 m² minimum stays");
        let mut drop = new_layer("EPSG:32648");
        add_zones(&mut drop, "landslide", &g, None, &ZoneOptions { min_area_m2: 10_000.0, ..opt });
        let Some(geo::Geometry::Polygon(p)) = &drop.features[0].geometry else { panic!() };
        assert!(p.interiors().is_empty(), "below a 10,000 m² minimum the hole goes");
    }
}
