//! Commune polygons: no openly licensed commune boundaries exist for Sơn La, so each district (real
//! government outline) is divided into the Voronoi cells of its communes' real points. Communes with
//! no surveyed point get one where the district is farthest from the others.

use geo::{BooleanOps, BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon};

use super::real::Real;
use super::rng::Rng;

pub struct SynthCommune {
    pub code: String,
    pub name: String,
    pub district_code: String,
    pub population: u32,
    pub households: u32,
    pub centre: Point<f64>,
    pub geom: MultiPolygon<f64>,
}

/// Random points inside a polygon (rejection sampling in its bounding box).
pub fn sample_inside(rng: &mut Rng, poly: &MultiPolygon<f64>, n: usize) -> Vec<Point<f64>> {
    let Some(bb) = poly.bounding_rect() else { return vec![] };
    let mut out = Vec::with_capacity(n);
    let mut tries = 0;
    while out.len() < n && tries < n * 200 {
        tries += 1;
        let p = Point::new(rng.range(bb.min().x, bb.max().x), rng.range(bb.min().y, bb.max().y));
        if poly.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Clip a convex polygon (ring, counter-clockwise or not) to the half-plane closer to `a` than to `b`.
fn clip_half_plane(ring: &[Coord<f64>], a: Coord<f64>, b: Coord<f64>) -> Vec<Coord<f64>> {
    let m = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
    let n = Coord { x: b.x - a.x, y: b.y - a.y };
    let side = |p: Coord<f64>| (p.x - m.x) * n.x + (p.y - m.y) * n.y; // < 0: a's side
    let mut out = Vec::with_capacity(ring.len() + 2);
    for i in 0..ring.len() {
        let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp < 0.0) != (sq < 0.0) && sp != sq {
            let t = sp / (sp - sq);
            out.push(Coord { x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t });
        }
    }
    out
}

pub fn synthesize(real: &Real, seed: u64) -> Vec<SynthCommune> {
    let mut out = Vec::new();
    for d in &real.districts {
        let mut rng = Rng::new(seed).fork(d.code.parse::<u64>().unwrap_or(0));
        let members: Vec<_> = real.communes.iter().filter(|c| c.district_code == d.code).collect();
        let mut pts: Vec<Option<Point<f64>>> = members.iter().map(|c| c.point.filter(|p| d.geom.contains(p))).collect();
        // Communes without a (usable) point: the sample farthest from the points placed so far.
        let samples = sample_inside(&mut rng, &d.geom, 600);
        for i in 0..pts.len() {
            if pts[i].is_some() {
                continue;
            }
            let placed: Vec<Point<f64>> = pts.iter().flatten().copied().collect();
            let best = samples.iter().copied().max_by(|a, b| {
                let da = placed.iter().map(|p| (p.x() - a.x()).hypot(p.y() - a.y())).fold(f64::MAX, f64::min);
                let db = placed.iter().map(|p| (p.x() - b.x()).hypot(p.y() - b.y())).fold(f64::MAX, f64::min);
                da.total_cmp(&db)
            });
            pts[i] = best;
        }
        let Some(bb) = d.geom.bounding_rect() else { continue };
        let frame = vec![
            Coord { x: bb.min().x - 1000.0, y: bb.min().y - 1000.0 },
            Coord { x: bb.max().x + 1000.0, y: bb.min().y - 1000.0 },
            Coord { x: bb.max().x + 1000.0, y: bb.max().y + 1000.0 },
            Coord { x: bb.min().x - 1000.0, y: bb.max().y + 1000.0 },
        ];
        for (i, c) in members.iter().enumerate() {
            let Some(p) = pts[i] else { continue };
            let mut ring = frame.clone();
            for (j, q) in pts.iter().enumerate() {
                if let (true, Some(q)) = (i != j, q) {
                    if q.x() != p.x() || q.y() != p.y() {
                        ring = clip_half_plane(&ring, p.0, q.0);
                    }
                }
            }
            if ring.len() < 3 {
                continue;
            }
            let mut ls: Vec<Coord<f64>> = ring.clone();
            ls.push(ring[0]);
            let cell = MultiPolygon(vec![Polygon::new(LineString(ls), vec![])]);
            let geom = cell.intersection(&d.geom);
            out.push(SynthCommune {
                code: c.code.clone(),
                name: c.name.clone(),
                district_code: c.district_code.clone(),
                population: c.population,
                households: c.households,
                centre: p,
                geom,
            });
        }
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}
