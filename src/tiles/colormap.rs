//! Colour maps for raster tiles, one per [`RasterStyle`] — the style each raster's producer declares
//! when it writes the raster (recorded in `manifest.json`; [`RasterStyle::guess`] only for rasters
//! that declare none) — drawn from the analyses' thresholds ([`super::thresholds`]: covered/good
//! RSRP, risk classes, NDVI health breaks), and the legends that describe them.
//! Three kinds: `Classes` (integer class → colour, e.g. susceptibility 1–5), `Steps` (value ranges,
//! e.g. RSRP bands), `Ramp` (linear interpolation between stops, optionally on log10 of the value).
//! Values outside every class or below the first step are transparent, like nodata.
//!
//! | style (written by)                         | map                                                                        |
//! |--------------------------------------------|----------------------------------------------------------------------------|
//! | `Rsrp` (`rsrp_*`, dBm)                     | steps at covered − 10, covered, good, good + 10, good + 20 dBm (defaults −120/−110/−100/−90/−80: the RSRP bands of LTE drive-test practice, 3GPP TS 36.133 reports −140…−44 dBm) from `[coverage] covered_dbm`, `good_dbm` |
//! | `CoverageClasses` (`coverage_class`)       | classes 0 no service, 1 covered, 2 good, labelled with the same thresholds   |
//! | `RiskClasses` (`*_susceptibility`)         | classes 1–5 very low … very high ([`super::thresholds::RISK_CLASSES`]) |
//! | `Slope` (`slope`, °)                       | ramp 0–60°, transparent on flat ground, yellow → red → purple               |
//! | `FlowAccumulation` (cells)                 | ramp on log10(cells) 1–6, transparent → dark blue                          |
//! | `Hand` (m)                                 | ramp 0–50 m, dark blue near drainage → transparent above 50 m              |
//! | `Elevation` (`dem`, m)                     | hypsometric ramp 0–3,000 m                                                  |
//! | `Hillshade`                                | grey ramp 0–255                                                            |
//! | `Change` (`uav/*/ndvi_change`)             | diverging ramp −0.4 … +0.4, red (loss) → white → green (gain)              |
//! | `VegetationIndex` (`uav/*/ndvi`, …)        | ColorBrewer RdYlGn ramp −0.2 … 1.0 with stops at the `[uav.health]` canopy and stress NDVI |
//! | `LocationProbability` (`coverage_probability`) | 1 covered at 50 % (amber), 2 covered at 90 % (green); 0 transparent   |
//! | `Categorical`                              | categorical palette (ColorBrewer Set2) over the classes present            |
//! | `Sinr` (`sinr_*`, dB)                      | steps from `[coverage.quality] sinr_min_db` (no throughput below) to the SINR where the truncated-Shannon rate saturates (`max_spectral_efficiency`, `alpha`; 22 dB with the defaults) |
//! | `SpeedTiers` (`dl_mbps_*`, Mbps)           | steps at the speed tiers `[coverage.quality] tiers_mbps` (defaults 5 and 25 Mbps) |
//! | `Landcover` (`landcover`)                  | ESA WorldCover classes 10…100 in the official palette ([`crate::dataset::landcover::CLASSES`]); 0 transparent |
//! | `Continuous` (`serving_site`)              | viridis ramp over the raster's min…max                           |

use serde_json::json;

use super::thresholds::{Thresholds, COVERED_COLOR, LANDCOVER_CLASSES, RISK_CLASSES, UNCOVERED_COLOR};
use crate::store::RasterStyle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    Classes,
    Steps,
    Ramp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    pub value: f64,
    pub color: [u8; 4],
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColorMap {
    /// Name of the scheme (for the legend).
    pub scheme: &'static str,
    pub kind: MapKind,
    pub unit: &'static str,
    pub stops: Vec<Stop>,
    /// Look up log10(value) instead of the value (ramps only).
    pub log10: bool,
}

fn stop(value: f64, color: [u8; 4], label: impl Into<String>) -> Stop {
    Stop { value, color, label: label.into() }
}

fn hex(c: [u8; 4]) -> String {
    if c[3] == 255 {
        format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c[0], c[1], c[2], c[3])
    }
}

const VIRIDIS: [[u8; 3]; 5] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
const SET2: [[u8; 3]; 8] = [
    [102, 194, 165],
    [252, 141, 98],
    [141, 160, 203],
    [231, 138, 195],
    [166, 216, 84],
    [255, 217, 47],
    [229, 196, 148],
    [179, 179, 179],
];

impl ColorMap {
    /// The map of a raster drawn in `style`, given the raster's value range when known (used by the
    /// styles over the range, [`RasterStyle::needs_range`]) and the thresholds of the build.
    pub fn for_style(style: RasterStyle, range: Option<(f64, f64)>, th: &Thresholds) -> ColorMap {
        match style {
            RasterStyle::Rsrp => Self::rsrp(th.coverage.covered_dbm, th.coverage.good_dbm),
            RasterStyle::Sinr => Self::sinr(&th.coverage.quality),
            RasterStyle::SpeedTiers => Self::speed_tiers(&th.coverage.quality.tiers_mbps),
            RasterStyle::Landcover => Self::landcover(),
            RasterStyle::CoverageClasses => Self::coverage_classes(th.coverage.covered_dbm, th.coverage.good_dbm),
            RasterStyle::RiskClasses => Self::five_classes(),
            RasterStyle::Slope => Self::ramp(
                "slope",
                "°",
                false,
                &[(0.0, [255, 255, 204, 0]), (10.0, [255, 237, 160, 140]), (20.0, [254, 178, 76, 180]),
                  (30.0, [240, 59, 32, 200]), (45.0, [189, 0, 38, 220]), (60.0, [100, 0, 80, 230])],
            ),
            RasterStyle::FlowAccumulation => Self::ramp(
                "flow-accumulation",
                "cells",
                true,
                &[(1.0, [198, 219, 239, 0]), (2.0, [158, 202, 225, 90]), (3.0, [107, 174, 214, 170]),
                  (4.0, [33, 113, 181, 220]), (6.0, [8, 48, 107, 255])],
            ),
            RasterStyle::Hand => Self::ramp(
                "hand",
                "m",
                false,
                &[(0.0, [8, 48, 107, 220]), (5.0, [66, 146, 198, 180]), (15.0, [158, 202, 225, 120]),
                  (30.0, [222, 235, 247, 50]), (50.0, [247, 251, 255, 0])],
            ),
            RasterStyle::Elevation => Self::ramp(
                "hypsometric",
                "m",
                false,
                &[(0.0, [70, 130, 80, 255]), (300.0, [120, 170, 90, 255]), (700.0, [200, 200, 120, 255]),
                  (1200.0, [190, 150, 90, 255]), (1800.0, [150, 110, 80, 255]), (2400.0, [200, 200, 200, 255]),
                  (3000.0, [255, 255, 255, 255])],
            ),
            RasterStyle::Hillshade => Self::hillshade(),
            RasterStyle::Change => Self::ramp(
                "diverging-change",
                "",
                false,
                &[(-0.4, [202, 0, 32, 230]), (-0.1, [244, 165, 130, 200]), (0.0, [247, 247, 247, 120]),
                  (0.1, [166, 217, 106, 200]), (0.4, [26, 150, 65, 230])],
            ),
            RasterStyle::VegetationIndex => {
                // Yellow where canopy begins, light green where it is healthy (the health model's breaks).
                let (canopy, healthy) = th.ndvi_breaks();
                let mut m = Self::ramp(
                    "RdYlGn",
                    "",
                    false,
                    &[(-0.2, [165, 0, 38, 255]), (0.0, [215, 48, 39, 255]), (canopy, [254, 224, 139, 255]),
                      (healthy, [166, 217, 106, 255]), (1.0, [0, 104, 55, 255])],
                );
                m.stops[2].label = format!("{canopy} canopy");
                m.stops[3].label = format!("{healthy} healthy canopy");
                m
            }
            RasterStyle::LocationProbability => ColorMap {
                scheme: "location-probability",
                kind: MapKind::Classes,
                unit: "class",
                stops: vec![
                    stop(1.0, [254, 196, 79, 170], "covered at 50 % of locations"),
                    stop(2.0, [35, 139, 69, 190], "covered at 90 % of locations"),
                ],
                log10: false,
            },
            RasterStyle::Categorical => {
                let (lo, hi) = range.unwrap_or((0.0, 7.0));
                let (lo, hi) = (lo.round() as i64, hi.round() as i64);
                let stops = (lo..=hi.min(lo + 31))
                    .enumerate()
                    .map(|(k, v)| {
                        let c = SET2[k % SET2.len()];
                        stop(v as f64, [c[0], c[1], c[2], 220], format!("class {v}"))
                    })
                    .collect();
                ColorMap { scheme: "Set2", kind: MapKind::Classes, unit: "", stops, log10: false }
            }
            RasterStyle::Continuous => Self::viridis(range),
        }
    }

    /// The viridis ramp over `range` (min…max; 0…1 when unknown).
    fn viridis(range: Option<(f64, f64)>) -> ColorMap {
        let (lo, hi) = match range {
            Some((a, b)) if a.is_finite() && b.is_finite() && b > a => (a, b),
            Some((a, _)) if a.is_finite() => (a, a + 1.0),
            _ => (0.0, 1.0),
        };
        let stops = VIRIDIS
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let v = lo + (hi - lo) * k as f64 / (VIRIDIS.len() - 1) as f64;
                stop(v, [c[0], c[1], c[2], 255], format!("{v:.3}"))
            })
            .collect();
        ColorMap { scheme: "viridis", kind: MapKind::Ramp, unit: "", stops, log10: false }
    }

    fn ramp(scheme: &'static str, unit: &'static str, log10: bool, s: &[(f64, [u8; 4])]) -> ColorMap {
        let stops = s
            .iter()
            .map(|(v, c)| {
                let shown = if log10 { 10f64.powf(*v) } else { *v };
                stop(*v, *c, format!("{shown}{}{unit}", if unit.is_empty() || unit == "°" { "" } else { " " }))
            })
            .collect();
        ColorMap { scheme, kind: MapKind::Ramp, unit, stops, log10 }
    }

    /// RSRP bands around the coverage thresholds: below `covered` − 10 dBm no service, up to
    /// `covered` below coverage, up to `good` weak but covered, then fair / good / excellent in
    /// 10 dB steps.
    fn rsrp(covered: f64, good: f64) -> ColorMap {
        let a = 200;
        let (c, g) = (covered, good);
        let dbm = |v: f64| format!("{}", v).replace('-', "−");
        ColorMap {
            scheme: "rsrp-bands",
            kind: MapKind::Steps,
            unit: "dBm",
            stops: vec![
                stop(-200.0, [165, 0, 38, 150], format!("no service (< {} dBm)", dbm(c - 10.0))),
                stop(c - 10.0, [244, 109, 67, a], format!("below coverage ({} to {} dBm)", dbm(c - 10.0), dbm(c))),
                stop(c, [254, 224, 139, a], format!("weak, covered ({} to {} dBm)", dbm(c), dbm(g))),
                stop(g, [217, 239, 139, a], format!("fair ({} to {} dBm)", dbm(g), dbm(g + 10.0))),
                stop(g + 10.0, [102, 189, 99, a], format!("good ({} to {} dBm)", dbm(g + 10.0), dbm(g + 20.0))),
                stop(g + 20.0, [26, 152, 80, a], format!("excellent (≥ {} dBm)", dbm(g + 20.0))),
            ],
            log10: false,
        }
    }

    /// `coverage_class.tif`: 0 no service, 1 covered, 2 good.
    fn coverage_classes(covered: f64, good: f64) -> ColorMap {
        let dbm = |v: f64| format!("{}", v).replace('-', "−");
        let [ur, ug, ub] = UNCOVERED_COLOR;
        let [cr, cg, cb] = COVERED_COLOR;
        ColorMap {
            scheme: "coverage-classes",
            kind: MapKind::Classes,
            unit: "class",
            stops: vec![
                stop(0.0, [ur, ug, ub, 170], format!("no service (< {} dBm)", dbm(covered))),
                stop(1.0, [254, 224, 139, 190], format!("covered (≥ {} dBm)", dbm(covered))),
                stop(2.0, [cr, cg, cb, 200], format!("good (≥ {} dBm)", dbm(good))),
            ],
            log10: false,
        }
    }

    /// SINR bands from the throughput mapping's parameters: below `sinr_min_db` the link carries no
    /// data (3GPP TR 36.942 A.2), then 10 dB steps up to the SINR where the rate saturates at
    /// `max_spectral_efficiency` (α·log2(1 + SINR) = SE_max), above which more SINR buys nothing.
    fn sinr(q: &crate::coverage::quality::QualityParams) -> ColorMap {
        let a = 200;
        let lo = q.sinr_min_db;
        let sat = (10.0 * (2f64.powf(q.max_spectral_efficiency / q.alpha) - 1.0).log10() * 10.0).round() / 10.0;
        let db = |v: f64| format!("{}", v).replace('-', "−");
        let mut stops = vec![stop(-200.0, [165, 0, 38, 150], format!("no throughput (< {} dB)", db(lo)))];
        // Interior breaks every 10 dB on the round tens between the minimum and saturation.
        let mut breaks = vec![lo];
        let mut b = (lo / 10.0).floor() * 10.0 + 10.0;
        while b < sat - 2.0 {
            breaks.push(b);
            b += 10.0;
        }
        let colors: [[u8; 4]; 4] = [[244, 109, 67, a], [254, 224, 139, a], [166, 217, 106, a], [102, 189, 99, a]];
        for (k, w) in breaks.iter().enumerate() {
            let hi = breaks.get(k + 1).copied().unwrap_or(sat);
            stops.push(stop(*w, colors[k.min(colors.len() - 1)], format!("{} to {} dB", db(*w), db(hi))));
        }
        stops.push(stop(sat, [26, 152, 80, a], format!("peak rate (≥ {} dB)", db(sat))));
        ColorMap { scheme: "sinr-bands", kind: MapKind::Steps, unit: "dB", stops, log10: false }
    }

    /// Downlink rate by speed tier (`tiers_mbps`, ascending): below the first tier, between tiers,
    /// and at or above the last; 0 Mbps (no service) is a step of its own below the first tier.
    fn speed_tiers(tiers: &[f64]) -> ColorMap {
        let a = 200;
        let mut t: Vec<f64> = tiers.iter().copied().filter(|v| v.is_finite() && *v > 0.0).collect();
        t.sort_by(|x, y| x.total_cmp(y));
        t.dedup();
        let mbps = |v: f64| format!("{}", v);
        let mut stops = vec![stop(0.0, [215, 48, 39, 170], "no data rate (0 Mbps)".to_string())];
        let first = t.first().copied().unwrap_or(f64::INFINITY);
        stops.push(stop(1e-3, [253, 174, 97, a], format!("< {} Mbps", mbps(first))));
        // Tiers from light green to dark green (ColorBrewer YlGn's ends), evenly by rank.
        let (lo, hi) = ([217.0, 239.0, 139.0], [26.0, 152.0, 80.0]);
        for (k, w) in t.iter().enumerate() {
            let f = if t.len() > 1 { k as f64 / (t.len() - 1) as f64 } else { 1.0 };
            let c = |i: usize| (lo[i] + (hi[i] - lo[i]) * f).round() as u8;
            let label = match t.get(k + 1) {
                Some(next) => format!("{} to {} Mbps", mbps(*w), mbps(*next)),
                None => format!("≥ {} Mbps", mbps(*w)),
            };
            stops.push(stop(*w, [c(0), c(1), c(2), a], label));
        }
        ColorMap { scheme: "speed-tiers", kind: MapKind::Steps, unit: "Mbps", stops, log10: false }
    }

    /// `landcover.tif`: the WorldCover classes in their official colours.
    fn landcover() -> ColorMap {
        ColorMap {
            scheme: "esa-worldcover",
            kind: MapKind::Classes,
            unit: "class",
            stops: LANDCOVER_CLASSES.iter().map(|c| stop(c.code as f64, [c.color[0], c.color[1], c.color[2], 200], c.label)).collect(),
            log10: false,
        }
    }

    fn five_classes() -> ColorMap {
        ColorMap {
            scheme: "RdYlGn-5-reversed",
            kind: MapKind::Classes,
            unit: "class",
            stops: RISK_CLASSES.iter().map(|(k, name, c)| stop(*k as f64, *c, format!("{k} {name}"))).collect(),
            log10: false,
        }
    }

    /// Grey shading for hillshade values 0–255 (as `gdaldem hillshade` writes them).
    pub fn hillshade() -> ColorMap {
        Self::ramp("grey", "", false, &[(0.0, [0, 0, 0, 255]), (255.0, [255, 255, 255, 255])])
    }

    /// Whether values are classes (resampled by nearest neighbour, never averaged).
    pub fn categorical(&self) -> bool {
        self.kind == MapKind::Classes
    }

    /// RGBA of a value; transparent for NaN and values the map does not cover.
    pub fn color(&self, v: f64) -> [u8; 4] {
        if !v.is_finite() || self.stops.is_empty() {
            return [0, 0, 0, 0];
        }
        match self.kind {
            MapKind::Classes => {
                let r = v.round();
                self.stops.iter().find(|s| s.value == r).map_or([0, 0, 0, 0], |s| s.color)
            }
            MapKind::Steps => self.stops.iter().rev().find(|s| v >= s.value).map_or([0, 0, 0, 0], |s| s.color),
            MapKind::Ramp => {
                let v = if self.log10 {
                    if v <= 0.0 {
                        return [0, 0, 0, 0];
                    }
                    v.log10()
                } else {
                    v
                };
                let first = &self.stops[0];
                if v <= first.value {
                    return first.color;
                }
                for w in self.stops.windows(2) {
                    let (a, b) = (&w[0], &w[1]);
                    if v <= b.value {
                        let t = (v - a.value) / (b.value - a.value);
                        let mut c = [0u8; 4];
                        for k in 0..4 {
                            c[k] = (a.color[k] as f64 + (b.color[k] as f64 - a.color[k] as f64) * t).round() as u8;
                        }
                        return c;
                    }
                }
                self.stops[self.stops.len() - 1].color
            }
        }
    }

    /// The legend as served at `/tiles/{layer}/legend.json`.
    pub fn legend(&self, layer: &str) -> serde_json::Value {
        let kind = match self.kind {
            MapKind::Classes => "classes",
            MapKind::Steps => "steps",
            MapKind::Ramp => "ramp",
        };
        let entries: Vec<serde_json::Value> = self
            .stops
            .iter()
            .map(|s| {
                let value = if self.log10 { 10f64.powf(s.value) } else { s.value };
                json!({"value": value, "color": hex(s.color), "label": s.label})
            })
            .collect();
        json!({
            "layer": layer,
            "kind": "raster",
            "type": kind,
            "scheme": self.scheme,
            "unit": self.unit,
            "scale": if self.log10 { "log10" } else { "linear" },
            "nodata": "transparent",
            "entries": entries,
        })
    }
}

/// A colour map tabulated for fast per-pixel lookup: ramps as 4,096 colours across their stops (finer
/// than any colour step a ramp can show); classes and steps are looked up directly.
#[derive(Debug, Clone)]
pub struct ColorTable {
    map: ColorMap,
    lo: f64,
    per_unit: f64,
    table: Vec<[u8; 4]>,
}

impl ColorTable {
    const SIZE: usize = 4096;

    pub fn new(map: &ColorMap) -> Self {
        let mut t = ColorTable { map: map.clone(), lo: 0.0, per_unit: 0.0, table: Vec::new() };
        if map.kind == MapKind::Ramp && map.stops.len() >= 2 {
            let (lo, hi) = (map.stops[0].value, map.stops[map.stops.len() - 1].value);
            if hi > lo {
                t.lo = lo;
                t.per_unit = (Self::SIZE - 1) as f64 / (hi - lo);
                // Entry k is the colour of the ramp value lo + k / per_unit (in the log domain if log10).
                let unlog = |x: f64| if map.log10 { 10f64.powf(x) } else { x };
                t.table = (0..Self::SIZE).map(|k| map.color(unlog(lo + k as f64 / t.per_unit))).collect();
            }
        }
        t
    }

    #[inline]
    pub fn color(&self, v: f64) -> [u8; 4] {
        if self.table.is_empty() || !v.is_finite() {
            return self.map.color(v);
        }
        let x = if self.map.log10 {
            if v <= 0.0 {
                return [0, 0, 0, 0];
            }
            v.log10()
        } else {
            v
        };
        let k = ((x - self.lo) * self.per_unit + 0.5).clamp(0.0, (Self::SIZE - 1) as f64) as usize;
        self.table[k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsrp_bands() {
        let m = ColorMap::for_style(RasterStyle::Rsrp, None, &Thresholds::default());
        assert_eq!(m.kind, MapKind::Steps);
        assert_eq!(m.color(-75.0), [26, 152, 80, 200]);
        assert_eq!(m.color(-110.0), [254, 224, 139, 200], "−110 dBm is covered (coverage engine default)");
        assert_eq!(m.color(-110.01), [244, 109, 67, 200]);
        assert_eq!(m.color(f64::NAN)[3], 0);
        // The bands follow the coverage thresholds.
        let mut th = Thresholds::default();
        th.coverage.covered_dbm = -105.0;
        let m = ColorMap::for_style(RasterStyle::Rsrp, None, &th);
        assert_eq!(m.color(-105.0), [254, 224, 139, 200]);
        assert_eq!(m.color(-106.0), [244, 109, 67, 200]);
        assert!(m.stops[2].label.contains("−105"), "{}", m.stops[2].label);
        let c = ColorMap::for_style(RasterStyle::CoverageClasses, None, &th);
        assert!(c.stops[1].label.contains("−105"));
    }

    #[test]
    fn sinr_and_speed_tiers_follow_the_quality_parameters() {
        let th = Thresholds::default();
        let m = ColorMap::for_style(RasterStyle::Sinr, None, &th);
        assert_eq!((m.kind, m.unit), (MapKind::Steps, "dB"));
        // TR 36.942 A.2 defaults: α = 0.6, SE_max = 4.4 → saturation at 10·log10(2^(4.4/0.6) − 1) = 22.05 dB, shown as 22.0.
        let last = m.stops.last().unwrap();
        assert_eq!(last.value, 22.0);
        assert_eq!(m.stops[1].value, -10.0, "sinr_min_db");
        assert_eq!(m.stops[0].label, "no throughput (< −10 dB)");
        assert_eq!(m.color(-12.0), [165, 0, 38, 150]);
        assert_eq!(m.color(25.0), last.color);
        assert!(m.stops.iter().skip(1).all(|s| s.label.contains("dB")), "{:?}", m.stops);
        let d = ColorMap::for_style(RasterStyle::SpeedTiers, None, &th);
        assert_eq!(d.unit, "Mbps");
        let labels: Vec<&str> = d.stops.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["no data rate (0 Mbps)", "< 5 Mbps", "5 to 25 Mbps", "≥ 25 Mbps"]);
        assert_eq!(d.color(4.99), d.stops[1].color);
        assert_eq!(d.color(25.0), [26, 152, 80, 200]);
        let mut th2 = Thresholds::default();
        th2.coverage.quality.tiers_mbps = vec![10.0, 2.0, 50.0];
        let d = ColorMap::for_style(RasterStyle::SpeedTiers, None, &th2);
        assert_eq!(d.stops[1].label, "< 2 Mbps");
        assert_eq!(d.stops[3].label, "10 to 50 Mbps");
    }

    #[test]
    fn landcover_uses_the_worldcover_palette() {
        // ESA WorldCover v200 palette: tree cover #006400, cropland #f096ff, water #0064c8.
        let m = ColorMap::for_style(RasterStyle::Landcover, Some((0.0, 100.0)), &Thresholds::default());
        assert!(m.categorical());
        assert_eq!(m.stops.len(), 11);
        assert_eq!(m.color(10.0), [0, 100, 0, 200]);
        assert_eq!(m.color(40.0), [240, 150, 255, 200]);
        assert_eq!(m.color(80.0), [0, 100, 200, 200]);
        assert_eq!(m.color(0.0)[3], 0, "no class: transparent");
        assert_eq!(m.legend("landcover")["entries"][4]["label"], "Built-up");
    }

    #[test]
    fn classes_and_ramps() {
        let m = ColorMap::for_style(RasterStyle::RiskClasses, None, &Thresholds::default());
        assert!(m.categorical());
        assert_eq!(m.color(5.0), [215, 25, 28, 220]);
        assert_eq!(m.color(0.0)[3], 0, "no class 0: transparent");
        let h = ColorMap::hillshade();
        assert_eq!(h.color(127.5), [128, 128, 128, 255]);
        // log ramp: 1000 cells = log10 3 → the third stop exactly.
        let a = ColorMap::for_style(RasterStyle::FlowAccumulation, None, &Thresholds::default());
        assert_eq!(a.color(1000.0), [107, 174, 214, 170]);
        let v = ColorMap::for_style(RasterStyle::VegetationIndex, None, &Thresholds::default());
        assert_eq!(v.scheme, "RdYlGn");
        let d = ColorMap::for_style(RasterStyle::Continuous, Some((10.0, 20.0)), &Thresholds::default());
        assert_eq!(d.color(10.0), [68, 1, 84, 255]);
        assert_eq!(d.color(20.0), [253, 231, 37, 255]);
        // The table agrees with the map to a colour step.
        for m in [&d, &a, &ColorMap::for_style(RasterStyle::Elevation, None, &Thresholds::default())] {
            let t = ColorTable::new(m);
            for v in [0.5, 12.0, 15.5, 999.0, 2500.0, 1e5] {
                let (x, y) = (t.color(v), m.color(v));
                assert!(x.iter().zip(&y).all(|(p, q)| (*p as i32 - *q as i32).abs() <= 2), "{v}: {x:?} {y:?}");
            }
        }
        let leg = d.legend("mystery");
        assert_eq!(leg["entries"].as_array().unwrap().len(), 5);
    }
}
