//! Hazard zones: a class raster generalised into polygons for the `risk_zones` layer.
//!
//! Steps: one 3 × 3 majority filter (removes salt-and-pepper cells), a sieve that merges regions
//! smaller than `zone_min_area_m2` into their largest neighbour (so no speck, and no speck-shaped
//! hole, survives), 4-connected regions traced into polygons ([`super::polygonize`]), then bounded
//! corner cutting ([`super::smooth`]) that turns the cell staircase into straight and rounded lines. Only classes ≥ `zone_min_class` (default 3:
//! moderate, high, very high) are stored — the lower classes cover most of the province and would
//! only repeat its outline. `area_m2` is the planar area of the stored (smoothed) polygon.
//! Polygons are smoothed independently, so neighbouring zones may overlap or leave slivers of up to
//! half a cell along shared borders; the class rasters remain the exact reference.

use geo::Area;
use rayon::prelude::*;

use super::polygonize::polygonize;
use super::regions::{label, majority, sieve};
use super::smooth::smooth_polygon;
use crate::grid::Grid;
use crate::store::{FieldType, GeomKind, Layer};

pub const LAYER: &str = "risk_zones";

/// How class rasters become zones.
#[derive(Debug, Clone, Copy)]
pub struct ZoneOptions {
    pub min_class: u8,
    pub min_area_m2: f64,
    pub smoothing_iterations: usize,
}

/// A new, empty `risk_zones` layer.
pub fn new_layer(crs: &str) -> Layer {
    Layer::new(LAYER, GeomKind::Polygon, crs, &[("hazard", FieldType::Text), ("class", FieldType::Integer), ("area_m2", FieldType::Real)])
}

/// Append the zones of one hazard's classes to `layer`; returns how many were added.
pub fn add_zones(layer: &mut Layer, hazard: &str, classes: &Grid<u8>, opt: &ZoneOptions) -> usize {
    let t = classes.transform;
    let cell_area = t.dx * t.dy;
    let min_cells = (opt.min_area_m2 / cell_area).ceil().max(1.0) as u32;
    let mut cls = majority(classes);
    sieve(&mut cls, min_cells);
    let reg = label(&cls);
    drop(cls);
    let polys = polygonize(&reg, classes.width, classes.height, &t, |l| {
        reg.class[l as usize] >= opt.min_class && reg.size[l as usize] >= min_cells
    });
    let classes_of: Vec<u8> = polys.iter().map(|(l, _)| reg.class[*l as usize]).collect();
    drop(reg);
    let smoothed: Vec<_> = polys
        .into_par_iter()
        .map(|(_, p)| smooth_polygon(&p, t.dx.min(t.dy), opt.smoothing_iterations))
        .collect();
    let first = layer.features.len() as i64;
    let mut n = 0;
    for (k, (p, class)) in smoothed.into_iter().zip(classes_of).enumerate() {
        let area = p.unsigned_area();
        layer.push(first + k as i64 + 1, Some(p.into()), vec![hazard.into(), (class as i64).into(), area.into()]);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GeoTransform;

    #[test]
    fn zones_keep_big_regions_and_drop_specks() {
        // 60 × 40 cells of 30 m: class 1 background, a 20 × 20 block of class 4 (36 ha) and an
        // isolated 2 × 2 block of class 5 (0.36 ha) — below the 5 ha minimum, so it is sieved away.
        let t = GeoTransform { x0: 0.0, y0: 1200.0, dx: 30.0, dy: 30.0 };
        let mut g = Grid::new(60, 40, t, 1u8, Some(0));
        for r in 10..30 {
            for c in 10..30 {
                g.set(c, r, 4);
            }
        }
        for r in 5..7 {
            for c in 45..47 {
                g.set(c, r, 5);
            }
        }
        let mut layer = new_layer("EPSG:32648");
        let n = add_zones(&mut layer, "landslide", &g, &ZoneOptions { min_class: 3, min_area_m2: 50_000.0, smoothing_iterations: 2 });
        assert_eq!(n, 1);
        let f = &layer.features[0];
        assert_eq!(f.values[1], crate::store::Value::Int(4));
        // The majority filter takes the block's four corner cells (5 of their 9 neighbours are
        // class 1): 400 − 4 cells = 356,400 m²; smoothing then only rounds corners (< 0.5 %).
        let a = f.values[2].as_f64().unwrap();
        assert!((a - 356_400.0).abs() / 356_400.0 < 0.005, "{a}");
    }
}
