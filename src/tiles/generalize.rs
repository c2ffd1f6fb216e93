//! Per-zoom generalization of vector layers, so a tile carries what can be seen at its zoom and no more.
//!
//! Rules (all in EPSG:3857 metres, with one *display pixel* = a tile's width / 256 at that zoom):
//! - lines and polygon rings are simplified by Douglas–Peucker with a tolerance of one display pixel;
//! - polygons are never dropped: one smaller than a square display pixel (or whose rings collapse
//!   when simplified) is drawn as a one-pixel square at its centre, so a small high-risk zone or
//!   orchard stays visible at every zoom; holes below one square pixel, parts of a multipolygon below
//!   it (when a larger part remains) and lines shorter than one pixel are dropped;
//! - point layers keep every point at every zoom up to [`DENSE_POINTS`] features (a hamlet hidden
//!   at the zoom a planner opens the map at is a decision lost); only larger layers are thinned below
//!   zoom [`THIN_BELOW_ZOOM`]: the plane is cut into square cells of [`THIN_CELL_PX`] display
//!   pixels, and in each cell only the highest-ranked point is kept. The rank is the first numeric
//!   field among [`RANK_FIELDS`] (population first), ties and unranked layers going to the lowest
//!   id. The cells are global (not per tile), so neighbouring tiles agree.
//! - above [`GENERALIZE_MAX_ZOOM`] the original geometries are used.

use std::collections::HashMap;

use geo::{Area, Centroid, Euclidean, Geometry, Length, LineString, MultiLineString, MultiPolygon, Polygon, Simplify};

use super::tile_id::{tile_size_m, TILE_PIXELS};

/// Deepest zoom with its own generalized copy of a layer.
pub const GENERALIZE_MAX_ZOOM: u8 = 16;
/// Point layers are thinned at zooms below this one.
pub const THIN_BELOW_ZOOM: u8 = 12;
/// A point layer with more features than this is "dense" and thinned; up to it every point is kept.
pub const DENSE_POINTS: usize = 50_000;
/// Side of a thinning cell, in display pixels.
pub const THIN_CELL_PX: f64 = 16.0;
/// Fields ranking points for thinning, in order of preference.
pub const RANK_FIELDS: [&str; 4] = ["population", "people", "pop", "households"];

/// Metres of EPSG:3857 per display pixel at zoom `z`.
#[inline]
pub fn pixel_m(z: u8) -> f64 {
    tile_size_m(z) / TILE_PIXELS as f64
}

fn simplify_ring(r: &LineString<f64>, tol: f64) -> Option<LineString<f64>> {
    let s = r.simplify(tol);
    // A ring needs three distinct corners plus the closing point.
    (s.0.len() >= 4).then_some(s)
}

/// A square of side `tol` centred on the polygon's centre (centroid, else its first vertex),
/// counter-clockwise like the rings the store writes.
fn pixel_square(p: &Polygon<f64>, tol: f64) -> Option<Polygon<f64>> {
    let c = p.centroid().map(|c| c.0).or_else(|| p.exterior().0.first().copied())?;
    let h = tol / 2.0;
    let ring = vec![(c.x - h, c.y - h), (c.x + h, c.y - h), (c.x + h, c.y + h), (c.x - h, c.y + h), (c.x - h, c.y - h)];
    Some(Polygon::new(LineString::from(ring), vec![]))
}

/// The polygon simplified at `tol`; `None` when it is below one square pixel (`min_area`) or its
/// outline collapses.
fn simplify_polygon(p: &Polygon<f64>, tol: f64, min_area: f64) -> Option<Polygon<f64>> {
    if p.unsigned_area() < min_area {
        return None;
    }
    let ext = simplify_ring(p.exterior(), tol)?;
    let holes = p
        .interiors()
        .iter()
        .filter(|h| Polygon::new((*h).clone(), vec![]).unsigned_area() >= min_area)
        .filter_map(|h| simplify_ring(h, tol))
        .collect();
    let out = Polygon::new(ext, holes);
    (out.unsigned_area() >= min_area).then_some(out)
}

/// A polygon as shown at `tol`: simplified, or a one-pixel square when too small to simplify.
fn show_polygon(p: &Polygon<f64>, tol: f64) -> Option<Polygon<f64>> {
    simplify_polygon(p, tol, tol * tol).or_else(|| pixel_square(p, tol))
}

/// The geometry as shown at a display-pixel size of `tol` metres; `None` when it is too small to show.
pub fn simplify(g: &Geometry<f64>, tol: f64) -> Option<Geometry<f64>> {
    let min_area = tol * tol;
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Some(g.clone()),
        Geometry::LineString(l) => {
            if Euclidean.length(l) < tol {
                return None;
            }
            Some(Geometry::LineString(l.simplify(tol)))
        }
        Geometry::MultiLineString(ml) => {
            let parts: Vec<LineString<f64>> =
                ml.0.iter().filter(|l| Euclidean.length(*l) >= tol).map(|l| l.simplify(tol)).collect();
            (!parts.is_empty()).then(|| Geometry::MultiLineString(MultiLineString(parts)))
        }
        Geometry::Polygon(p) => show_polygon(p, tol).map(Geometry::Polygon),
        Geometry::MultiPolygon(mp) => {
            let parts: Vec<Polygon<f64>> = mp.0.iter().filter_map(|p| simplify_polygon(p, tol, min_area)).collect();
            if !parts.is_empty() {
                return Some(Geometry::MultiPolygon(MultiPolygon(parts)));
            }
            // Every part is below a pixel: the largest one as a pixel.
            let largest = mp.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
            pixel_square(largest, tol).map(|p| Geometry::MultiPolygon(MultiPolygon(vec![p])))
        }
        Geometry::Rect(r) => show_polygon(&r.to_polygon(), tol).map(Geometry::Polygon),
        Geometry::Triangle(t) => show_polygon(&t.to_polygon(), tol).map(Geometry::Polygon),
        Geometry::Line(l) => simplify(&Geometry::LineString(LineString::from(vec![l.start, l.end])), tol),
        Geometry::GeometryCollection(gc) => {
            let parts: Vec<Geometry<f64>> = gc.0.iter().filter_map(|g| simplify(g, tol)).collect();
            (!parts.is_empty()).then(|| Geometry::GeometryCollection(geo::GeometryCollection(parts)))
        }
    }
}

/// Which points to keep at zoom `z` by the thinning rule above. `pos` holds each point's position
/// (`None` for features without geometry, never kept), `rank` its rank, `ids` its id.
pub fn thin_points(pos: &[Option<(f64, f64)>], rank: &[f64], ids: &[i64], z: u8) -> Vec<bool> {
    let cell = pixel_m(z) * THIN_CELL_PX;
    let mut best: HashMap<(i64, i64), usize> = HashMap::new();
    for (i, p) in pos.iter().enumerate() {
        let Some((x, y)) = p else { continue };
        let key = ((x / cell).floor() as i64, (y / cell).floor() as i64);
        best.entry(key)
            .and_modify(|j| {
                let better = rank[i] > rank[*j] || (rank[i] == rank[*j] && ids[i] < ids[*j]);
                if better {
                    *j = i;
                }
            })
            .or_insert(i);
    }
    let mut keep = vec![false; pos.len()];
    for i in best.into_values() {
        keep[i] = true;
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, polygon};

    #[test]
    fn douglas_peucker_reference() {
        // The classic example from geo's `Simplify` docs (Douglas & Peucker 1973 algorithm):
        // epsilon 1.0 keeps (0,0) (5,4) (11,5.5) (27.8,0.1).
        let l = line_string![(x: 0.0, y: 0.0), (x: 5.0, y: 4.0), (x: 11.0, y: 5.5), (x: 17.3, y: 3.2), (x: 27.8, y: 0.1)];
        let Some(Geometry::LineString(s)) = simplify(&Geometry::LineString(l), 1.0) else { panic!() };
        assert_eq!(s.0.len(), 4);
        assert_eq!(s.0[3].x, 27.8);
    }

    #[test]
    fn tiny_holes_drop_and_tiny_polygons_become_one_pixel() {
        let p = polygon!(exterior: [(x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)],
                         interiors: [[(x: 10.0, y: 10.0), (x: 12.0, y: 10.0), (x: 12.0, y: 12.0), (x: 10.0, y: 12.0)]]);
        // Pixel 5 m: the 2×2 m hole (4 m² < 25 m²) goes, the polygon stays.
        let Some(Geometry::Polygon(s)) = simplify(&Geometry::Polygon(p.clone()), 5.0) else { panic!() };
        assert!(s.interiors().is_empty());
        // Pixel 200 m: the whole 100×100 m polygon is below one pixel — drawn as one pixel at its
        // centre, never dropped.
        let Some(Geometry::Polygon(s)) = simplify(&Geometry::Polygon(p), 200.0) else { panic!() };
        assert_eq!(s.unsigned_area(), 40_000.0);
        let c = s.centroid().unwrap();
        assert!((c.x() - 50.0).abs() < 0.1 && (c.y() - 50.0).abs() < 0.1, "{c:?}");
        let mp = Geometry::MultiPolygon(MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]]));
        assert!(matches!(simplify(&mp, 200.0), Some(Geometry::MultiPolygon(m)) if m.0.len() == 1));
    }

    #[test]
    fn thinning_keeps_the_most_populous() {
        let cell = pixel_m(8) * THIN_CELL_PX;
        let pos = vec![Some((1.0, 1.0)), Some((2.0, 2.0)), Some((cell + 1.0, 1.0)), None];
        let keep = thin_points(&pos, &[10.0, 50.0, 1.0, 99.0], &[1, 2, 3, 4], 8);
        assert_eq!(keep, vec![false, true, true, false]);
        // Equal ranks: the lower id wins.
        let keep = thin_points(&pos[..2], &[5.0, 5.0], &[7, 3], 8);
        assert_eq!(keep, vec![false, true]);
    }
}
