//! Synthetic mango and longan orchard parcels in Sơn La's real fruit-growing districts, placed as
//! orchards are: in groups around hamlets, on gentle slopes, laid out along the contour, as irregular
//! quadrilaterals of 0.3–5 ha that do not overlap. Deterministic from the seed.
//!
//! Districts and crop mix (GSO district codes; Sơn La's mango belt is Yên Châu – Mai Sơn along
//! National Road 6, its longan heartland Sông Mã, with mixed orchards in Thuận Châu):
//! Mai Sơn 125 (55 % mango), Yên Châu 124 (75 %), Sông Mã 126 (20 %), Thuận Châu 119 (45 %).
//! The first group in Mai Sơn is made large (up to 24 parcels within 450 m of the hamlet with the
//! gentlest surroundings) so that a ~1 km² UAV flight ([`super::uav_flights`]) covers a realistic
//! cluster of orchards.

use std::collections::HashMap;

use geo::{Area, Centroid, Contains, Coord, Intersects, LineString, Point, Polygon, Scale};

use super::rng::Rng;
use super::terrain::slope_deg;
use crate::dataset::{Commune, Crop, Hamlet, Orchard};
use crate::grid::Grid;

/// (GSO district code, name, number of parcels, share of mango).
pub const GROWING_DISTRICTS: [(&str, &str, usize, f64); 4] = [
    ("125", "Mai Sơn", 95, 0.55),
    ("124", "Yên Châu", 85, 0.75),
    ("126", "Sông Mã", 80, 0.20),
    ("119", "Thuận Châu", 45, 0.45),
];

/// Steepest slope (degrees) an orchard is planted on here: terraced hillside orchards exist, but the
/// bulk of Sơn La's mango and longan is on gentle valley sides.
pub const MAX_SLOPE_DEG: f64 = 15.0;

/// Parcel area bounds (m²): 0.3–5 ha.
pub const MIN_AREA_M2: f64 = 3_000.0;
pub const MAX_AREA_M2: f64 = 50_000.0;

/// Place the demo orchards. `dem`, `communes` and `hamlets` are in `crs` (metric, the working CRS),
/// and so are the returned parcels; ids are 1… in placement order.
pub fn generate_orchards(seed: u64, dem: &Grid<f32>, communes: &[Commune], hamlets: &[Hamlet], crs: &str) -> Vec<Orchard> {
    debug_assert!(!crs.is_empty());
    let root = Rng::new(seed).fork(0x04C4_A2D5);
    let by_code: HashMap<&str, &Commune> = communes.iter().map(|c| (c.code.as_str(), c)).collect();
    let mut out: Vec<Orchard> = Vec::new();
    let bounds = dem.bounds();
    for (k, (district, _name, quota, mango_share)) in GROWING_DISTRICTS.iter().enumerate() {
        let mut rng = root.fork(k as u64);
        let hs: Vec<&Hamlet> = hamlets
            .iter()
            .filter(|h| by_code.get(h.commune_code.as_str()).is_some_and(|c| c.district_code == *district))
            .collect();
        if hs.is_empty() {
            continue;
        }
        let (mut placed, mut groups) = (0usize, 0usize);
        while placed < *quota && groups < quota * 10 {
            groups += 1;
            let big = k == 0 && groups == 1;
            // The big group goes to the hamlet with the most gentle ground around it.
            let h = if big { gentlest(&hs, dem) } else { hs[rng.below(hs.len())] };
            let Some(commune) = by_code.get(h.commune_code.as_str()) else { continue };
            let size = if big { 24 } else { 2 + rng.below(8) };
            let radius = if big { 450.0 } else { 750.0 };
            let group_crop = if rng.chance(*mango_share) { Crop::Mango } else { Crop::Longan };
            let mut added = 0;
            for _ in 0..size * if big { 40 } else { 6 } {
                if added >= size || placed >= *quota {
                    break;
                }
                let a = rng.range(0.0, std::f64::consts::TAU);
                let d = rng.range(120.0, radius);
                let c = Point::new(h.pos.x() + d * a.cos(), h.pos.y() + d * a.sin());
                if !commune.geom.contains(&c) || slope_deg(dem, c.x(), c.y(), 30.0) > MAX_SLOPE_DEG {
                    continue;
                }
                let crop = if rng.chance(0.85) { group_crop } else if group_crop == Crop::Mango { Crop::Longan } else { Crop::Mango };
                let Some(poly) = parcel_shape(&mut rng, c, dem) else { continue };
                let inside_dem = poly.exterior().0.iter().all(|p| bounds.contains(p.x, p.y));
                // Keep a gap between parcels (tracks, hedges): compare with the parcel grown by 10 %.
                let grown = poly.scale(1.1);
                if !inside_dem || out.iter().any(|o| o.geom.intersects(&grown)) {
                    continue;
                }
                out.push(Orchard { id: out.len() as i64 + 1, crop, commune_code: commune.code.clone(), geom: poly });
                added += 1;
                placed += 1;
            }
        }
    }
    out
}

/// The hamlet with the most points of slope ≤ [`MAX_SLOPE_DEG`] on rings 150–450 m around it (first on ties).
fn gentlest<'a>(hs: &[&'a Hamlet], dem: &Grid<f32>) -> &'a Hamlet {
    let score = |h: &Hamlet| -> usize {
        let mut n = 0;
        for ring in [150.0, 300.0, 450.0] {
            for k in 0..16 {
                let a = k as f64 * std::f64::consts::TAU / 16.0;
                if slope_deg(dem, h.pos.x() + ring * a.cos(), h.pos.y() + ring * a.sin(), 30.0) <= MAX_SLOPE_DEG {
                    n += 1;
                }
            }
        }
        n
    };
    let mut best = (hs[0], score(hs[0]));
    for h in &hs[1..] {
        let s = score(h);
        if s > best.1 {
            best = (h, s);
        }
    }
    best.0
}

/// An irregular quadrilateral of 0.3–5 ha centred near `c`, its long side along the contour.
fn parcel_shape(rng: &mut Rng, c: Point<f64>, dem: &Grid<f32>) -> Option<Polygon<f64>> {
    // Mostly 0.5–2 ha household orchards, a few larger company plots: log-uniform in 0.35–4.5 ha.
    let area = (rng.range((3_500f64).ln(), (45_000f64).ln())).exp();
    let aspect = rng.range(1.0, 2.2);
    let long = (area * aspect).sqrt();
    let short = area / long;
    // Contour direction: perpendicular to the DEM gradient (rows of trees follow the contour).
    let s = |dx: f64, dy: f64| dem.sample_bilinear(c.x() + dx, c.y() + dy).map(|v| v as f64);
    let angle = match (s(30.0, 0.0), s(-30.0, 0.0), s(0.0, 30.0), s(0.0, -30.0)) {
        (Some(e), Some(w), Some(n), Some(so)) if (e - w).abs() + (n - so).abs() > 0.5 => (e - w).atan2(-(n - so)),
        _ => rng.range(0.0, std::f64::consts::PI),
    } + rng.range(-0.25, 0.25);
    let (ca, sa) = (angle.cos(), angle.sin());
    let corners = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)];
    let mut ring: Vec<Coord<f64>> = corners
        .iter()
        .map(|(u, v)| {
            let u = (u + rng.range(-0.12, 0.12)) * long;
            let v = (v + rng.range(-0.12, 0.12)) * short;
            Coord { x: c.x() + u * ca - v * sa, y: c.y() + u * sa + v * ca }
        })
        .collect();
    ring.push(ring[0]);
    let p = Polygon::new(LineString(ring), vec![]);
    let a = p.unsigned_area();
    ((MIN_AREA_M2..=MAX_AREA_M2).contains(&a)).then_some(p)
}

/// Centre of the densest group of parcels: the centroid of the parcels within `radius` of the parcel
/// with most such neighbours (lowest id on ties).
pub fn densest_cluster(orchards: &[Orchard], radius: f64) -> Option<(Point<f64>, Vec<i64>)> {
    let cents: Vec<Point<f64>> = orchards.iter().filter_map(|o| o.geom.centroid()).collect();
    if cents.len() != orchards.len() || cents.is_empty() {
        return None;
    }
    let near = |i: usize| -> Vec<usize> {
        (0..cents.len()).filter(|&j| (cents[j].x() - cents[i].x()).hypot(cents[j].y() - cents[i].y()) <= radius).collect()
    };
    let best = (0..cents.len()).max_by(|&a, &b| near(a).len().cmp(&near(b).len()).then(b.cmp(&a)))?;
    let members = near(best);
    let n = members.len() as f64;
    let cx = members.iter().map(|&j| cents[j].x()).sum::<f64>() / n;
    let cy = members.iter().map(|&j| cents[j].y()).sum::<f64>() / n;
    Some((Point::new(cx, cy), members.iter().map(|&j| orchards[j].id).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parcel_shapes_are_in_range() {
        let t = crate::grid::GeoTransform { x0: 0.0, y0: 10_000.0, dx: 30.0, dy: 30.0 };
        // 10 % slope eastwards: contour runs north–south.
        let dem = Grid::from_fn(334, 334, t, None, |c, _| 500.0 + c as f32 * 3.0);
        let mut rng = Rng::new(1);
        let mut n = 0;
        for _ in 0..200 {
            if let Some(p) = parcel_shape(&mut rng, Point::new(5000.0, 5000.0), &dem) {
                let a = p.unsigned_area();
                assert!((MIN_AREA_M2..=MAX_AREA_M2).contains(&a));
                assert_eq!(p.exterior().0.len(), 5);
                n += 1;
            }
        }
        assert!(n > 150, "{n}");
    }
}
