//! Hamlets (bản): about one per 420 people, placed as settlements are in Sơn La — valley floors and
//! gentle slopes, near rivers and roads, in clusters — with populations that sum exactly to each
//! commune's 2019 census total.

use geo::Point;
use rayon::prelude::*;

use super::communes::{sample_inside, SynthCommune};
use super::rng::Rng;
use super::terrain::{relative_elevation, slope_deg, LineIndex};
use crate::grid::Grid;

pub struct SynthHamlet {
    pub name: String,
    pub commune_code: String,
    pub population: u32,
    pub pos: Point<f64>,
}

const SYLLABLES: &[&str] = &[
    "Mòng", "Hụm", "Púng", "Nà", "Co", "Mạ", "Pá", "Hốc", "Lọng", "Phiêng", "Huổi", "Nong", "Tạng", "Cang", "Lả",
    "Pe", "Khoang", "Bó", "Sẳng", "Xum", "Thẳm", "Lếch", "Nặm", "Păn", "Khá", "Ún", "Pặt", "Mường", "Hin", "Lạn",
    "Chiềng", "Phày", "Tở", "Có", "Lướt", "Dửn", "Sái", "Văn", "Kéo", "Pồng", "Ten", "Lúng", "Cuông", "Hào",
];

/// People per hamlet on average (Sơn La: ~1.25 M people in ~3,000 bản).
pub const PEOPLE_PER_HAMLET: f64 = 420.0;

/// Split `total` into integer parts proportional to `weights` (largest remainder), each ≥ 1.
pub fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let n = weights.len();
    if n == 0 {
        return vec![];
    }
    let base = if total as usize >= n { 1 } else { 0 };
    let rest = total - base * n as u32;
    let sum: f64 = weights.iter().sum::<f64>().max(1e-12);
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * rest as f64).collect();
    let mut parts: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut left = rest - parts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts.iter().map(|p| p + base).collect()
}

/// Radii (m) of the rings over which [`height_above_low_ground`] looks for the valley bottom.
const LOW_GROUND_RINGS_M: [f64; 3] = [60.0, 150.0, 300.0];
/// Height above the valley bottom (m) at which a site counts as fully off the channel.
pub const TERRACE_M: f64 = 5.0;

/// Height of (x, y) above the lowest ground within 300 m (8 points on each of three rings): ≈ 0 on
/// a channel or a valley floor, a few to tens of metres on a terrace or a fan above it.
pub fn height_above_low_ground(dem: &Grid<f32>, x: f64, y: f64) -> f64 {
    let Some(z) = dem.sample_bilinear(x, y) else { return 0.0 };
    let mut low = z;
    for r in LOW_GROUND_RINGS_M {
        for k in 0..8 {
            let a = k as f64 * std::f64::consts::FRAC_PI_4;
            if let Some(v) = dem.sample_bilinear(x + r * a.cos(), y + r * a.sin()) {
                low = low.min(v);
            }
        }
    }
    (z - low) as f64
}

/// Weight of a hamlet site by its height above the valley bottom: villages in Sơn La stand on
/// terraces and fans beside the streams, not in the beds that flash floods sweep.
fn terrace_weight(above: f64) -> f64 {
    1.0 - (-(above / TERRACE_M).powi(2)).exp()
}

pub fn synthesize(
    communes: &[SynthCommune],
    dem: &Grid<f32>,
    rivers: &LineIndex,
    roads: &LineIndex,
    seed: u64,
) -> Vec<SynthHamlet> {
    let per_commune: Vec<Vec<SynthHamlet>> = communes
        .par_iter()
        .map(|c| {
            let mut rng = Rng::new(seed).fork(c.code.parse::<u64>().unwrap_or(0) + 7_000_000);
            let urban = c.name.starts_with("Phường") || c.name.starts_with("Thị trấn");
            let n = ((c.population as f64 / PEOPLE_PER_HAMLET).round() as usize).clamp(2, 60).min(c.population.max(1) as usize);
            let cands = sample_inside(&mut rng, &c.geom, 40 * n + 80);
            let scored: Vec<(Point<f64>, f64)> = cands
                .into_iter()
                .map(|p| {
                    let s = slope_deg(dem, p.x(), p.y(), 45.0);
                    let rel = relative_elevation(dem, p.x(), p.y(), 1200.0);
                    let dr = rivers.distance(p);
                    let dd = roads.distance(p);
                    let terrace = terrace_weight(height_above_low_ground(dem, p.x(), p.y()));
                    let score = terrace
                        * (-s / 11.0).exp()
                        * (-(rel.max(0.0)) / 120.0).exp()
                        * (1.0 + 2.5 * (-dd / 1200.0).exp() + 1.5 * (-dr / 2500.0).exp());
                    (p, score)
                })
                .collect();
            let mut chosen: Vec<(Point<f64>, f64)> = Vec::with_capacity(n);
            // The commune centre's village first: settlements grow around the seat.
            chosen.push((c.centre, 1.0));
            let mut used = vec![false; scored.len()];
            while chosen.len() < n {
                let weights: Vec<f64> = scored
                    .iter()
                    .enumerate()
                    .map(|(i, (p, s))| {
                        if used[i] {
                            return 0.0;
                        }
                        let dn = chosen.iter().map(|(q, _)| (q.x() - p.x()).hypot(q.y() - p.y())).fold(f64::MAX, f64::min);
                        if dn < 250.0 {
                            return 0.0;
                        }
                        // Clustering: more likely near an existing hamlet, within walking distance.
                        s * s * (1.0 + 3.0 * (-dn / 1500.0).exp())
                    })
                    .collect();
                let total: f64 = weights.iter().sum();
                if total <= 0.0 {
                    break;
                }
                let mut x = rng.f64() * total;
                let mut pick = weights.len() - 1;
                for (i, w) in weights.iter().enumerate() {
                    if x < *w {
                        pick = i;
                        break;
                    }
                    x -= w;
                }
                used[pick] = true;
                chosen.push(scored[pick]);
            }
            let weights: Vec<f64> = chosen.iter().map(|(_, s)| (0.6 * rng.normal()).exp() * (0.5 + s.min(3.0))).collect();
            let pops = apportion(c.population, &weights);
            chosen
                .iter()
                .zip(pops)
                .enumerate()
                .map(|(k, ((p, _), pop))| {
                    let name = if urban {
                        format!("Tổ dân phố {}", k + 1)
                    } else {
                        let a = SYLLABLES[rng.below(SYLLABLES.len())];
                        let b = SYLLABLES[rng.below(SYLLABLES.len())];
                        if a == b { format!("Bản {a}") } else { format!("Bản {a} {b}") }
                    };
                    SynthHamlet { name, commune_code: c.code.clone(), population: pop, pos: *p }
                })
                .collect()
        })
        .collect();
    per_commune.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::apportion;

    #[test]
    fn apportion_sums_exactly() {
        let p = apportion(8630, &[1.0, 2.5, 0.3, 7.0]);
        assert_eq!(p.iter().sum::<u32>(), 8630);
        assert!(p.iter().all(|v| *v >= 1));
        assert_eq!(apportion(3, &[1.0, 1.0, 1.0]), vec![1, 1, 1]);
        // 10 = 3·1 + 7 shared 1.75 : 1.75 : 3.5 → floors 1, 1, 3; the 2 left go to the largest
        // remainders (0.75, 0.75) → 2, 2, 3; plus the 1 each → 3, 3, 4 (Hamilton's method).
        assert_eq!(apportion(10, &[1.0, 1.0, 2.0]), vec![3, 3, 4]);
    }
}
