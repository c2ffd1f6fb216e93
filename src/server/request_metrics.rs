//! The request counters behind `GET /metrics` ([`super::metrics`]): counts by route, method and
//! status and a latency histogram by route, rendered in the Prometheus text format (0.0.4) with the
//! tile cache's and the catalog's gauges. Routes are labelled by their pattern, never the raw path,
//! so the number of series stays bounded whatever clients request. A plain type: the server state
//! holds one, and this file knows nothing of the state.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

use super::cache::TileCache;
use crate::tiles::Catalog;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, String, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
}

pub struct Metrics {
    inner: Mutex<Inner>,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Self { inner: Mutex::new(Inner::default()), started: Instant::now() }
    }
}

/// The route pattern of a path.
pub fn route_label(path: &str) -> &'static str {
    let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [] => "/",
        ["health"] => "/health",
        ["metrics"] => "/metrics",
        ["catalog"] => "/catalog",
        ["conformance"] => "/conformance",
        ["api"] => "/api",
        ["collections"] => "/collections",
        ["collections", _] => "/collections/{id}",
        ["collections", _, "items"] => "/collections/{id}/items",
        ["collections", _, "items", _] => "/collections/{id}/items/{fid}",
        ["tiles", _] => "/tiles/{layers}.json",
        ["tiles", _, "legend.json"] => "/tiles/{layers}/legend.json",
        ["tiles", _, _, _, _] => "/tiles/{layers}/{z}/{x}/{y}",
        ["api", "indicators"] => "/api/indicators",
        ["api", "gaps"] => "/api/gaps",
        ["api", "calibration"] => "/api/calibration",
        ["api", "planner"] => "/api/planner",
        ["api", "uav", "flights"] => "/api/uav/flights",
        ["api", "uav", "parcels", _] => "/api/uav/parcels/{id}",
        ["api", "jobs", _] => "/api/jobs/{id}",
        _ => "other",
    }
}

impl Metrics {
    pub fn record(&self, route: &'static str, method: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.inner.lock() else { return };
        *m.requests.entry((route, method.to_string(), status)).or_insert(0) += 1;
        let h = m.latency.entry(route).or_default();
        h.count += 1;
        h.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
    }

    /// The Prometheus text of the counters, the tile cache `c` and the catalog `cat`.
    pub fn render(&self, c: &TileCache, cat: &Catalog) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# HELP covermap_http_requests_total HTTP requests by route, method and status.");
        let _ = writeln!(s, "# TYPE covermap_http_requests_total counter");
        if let Ok(m) = self.inner.lock() {
            for ((route, method, status), n) in &m.requests {
                let _ = writeln!(s, "covermap_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {n}");
            }
            let _ = writeln!(s, "# HELP covermap_http_request_duration_seconds Request latency by route.");
            let _ = writeln!(s, "# TYPE covermap_http_request_duration_seconds histogram");
            for (route, h) in &m.latency {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(s, "covermap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}", h.counts[i]);
                }
                let _ = writeln!(s, "covermap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(s, "covermap_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(s, "covermap_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        let gauge = |s: &mut String, name: &str, help: &str, kind: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        };
        gauge(&mut s, "covermap_tile_cache_hits_total", "Tile cache hits.", "counter", c.hits.load(Ordering::Relaxed));
        gauge(&mut s, "covermap_tile_cache_misses_total", "Tile cache misses.", "counter", c.misses.load(Ordering::Relaxed));
        gauge(&mut s, "covermap_tile_cache_bytes", "Bytes held by the tile cache.", "gauge", c.weighted_size());
        gauge(&mut s, "covermap_tile_cache_capacity_bytes", "Tile cache bound.", "gauge", c.capacity_bytes);
        gauge(&mut s, "covermap_tile_cache_entries", "Tiles held by the tile cache.", "gauge", c.entry_count());
        gauge(&mut s, "covermap_catalog_sources", "Layers served.", "gauge", cat.sources.len() as u64);
        gauge(&mut s, "covermap_catalog_problems", "Layers that could not be served.", "gauge", cat.problems.len() as u64);
        gauge(&mut s, "covermap_uptime_seconds", "Seconds since the server started.", "gauge", self.started.elapsed().as_secs());
        s
    }
}

