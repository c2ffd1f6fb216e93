//! The results of flights as plain records: one [`FlightRecord`] per flight, one [`HealthRecord`]
//! per parcel and flight, and their linkage over time ([`relink`]): each parcel observation points to
//! the same parcel's previous observation, with the NDVI change and whether the health class fell.
//! These are what the `uav_flights` and `orchard_health` layers store.

use geo::Polygon;

use super::health::HealthClass;

#[derive(Debug, Clone, PartialEq)]
pub struct FlightRecord {
    pub id: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub camera: String,
    /// Band mapping used, e.g. `blue=1,green=2,red=3,rededge=4,nir=5`.
    pub bands: String,
    /// User reflectance scale (`--scale`), when given instead of the camera's own.
    pub scale: Option<f64>,
    /// Image files (absolute paths).
    pub images: Vec<String>,
    pub gsd_m: f64,
    pub width: usize,
    pub height: usize,
    /// The imagery's CRS (as GDAL names it, e.g. "EPSG:32648").
    pub crs: String,
    /// Image extent in the working CRS.
    pub footprint: Polygon<f64>,
    pub valid_pixels: u64,
    pub ndvi_mean: f64,
    /// Flight the per-pixel change raster compares with (`None`: first flight over this area).
    pub change_vs: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthRecord {
    pub orchard_id: i64,
    pub flight_id: String,
    pub date: String,
    pub crop: String,
    pub commune_code: String,
    /// Parcel polygon in the working CRS.
    pub geom: Polygon<f64>,
    pub ndvi_mean: f64,
    pub ndvi_std: f64,
    pub ndvi_p10: f64,
    pub ndvi_p50: f64,
    pub ndvi_p90: f64,
    pub ndre_mean: Option<f64>,
    /// Σ coverage fractions of valid pixels (exactextract `count`).
    pub pixel_count: f64,
    pub covered_fraction: f64,
    pub canopy_share: f64,
    pub stressed_share: f64,
    pub health_class: HealthClass,
    /// The link to the parcel's previous observation, filled by [`relink`] (empty until then).
    pub link: Linkage,
}

/// Where one parcel observation stands in the parcel's history: filled together by [`relink`],
/// stored together as the `orchard_health` layer's linkage fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Linkage {
    pub prev_flight_id: Option<String>,
    pub prev_ndvi_mean: Option<f64>,
    pub prev_health_class: Option<HealthClass>,
    pub ndvi_change: Option<f64>,
    pub health_fell: bool,
    /// This is the parcel's most recent observation.
    pub latest: bool,
}

/// Sort by (date, flight, parcel) and link each parcel's observations in time.
pub fn relink(rows: &mut [HealthRecord]) {
    rows.sort_by(|a, b| (&a.date, &a.flight_id, a.orchard_id).cmp(&(&b.date, &b.flight_id, b.orchard_id)));
    let mut last: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for i in 0..rows.len() {
        let prev = last.get(&rows[i].orchard_id).copied();
        let (pf, pm, pc) = match prev {
            Some(j) => (Some(rows[j].flight_id.clone()), Some(rows[j].ndvi_mean), Some(rows[j].health_class)),
            None => (None, None, None),
        };
        if let Some(j) = prev {
            rows[j].link.latest = false;
        }
        let r = &mut rows[i];
        r.link = Linkage {
            ndvi_change: pm.map(|m| r.ndvi_mean - m),
            health_fell: pc.is_some_and(|c| r.health_class.fell_from(c)),
            prev_flight_id: pf,
            prev_ndvi_mean: pm,
            prev_health_class: pc,
            latest: true,
        };
        last.insert(r.orchard_id, i);
    }
}

/// Parcels whose health fell in `flight_id`, worst first: by new class (severe first; a parcel that
/// lost its canopy counts as worst), then by NDVI change (largest drop first), then id.
pub fn declines<'a>(rows: &'a [HealthRecord], flight_id: &str) -> Vec<&'a HealthRecord> {
    let mut v: Vec<&HealthRecord> = rows.iter().filter(|r| r.flight_id == flight_id && r.link.health_fell).collect();
    let severity = |r: &HealthRecord| r.health_class.rank().map_or(4, |k| k as i32);
    v.sort_by(|a, b| {
        severity(b)
            .cmp(&severity(a))
            .then(a.link.ndvi_change.unwrap_or(0.0).total_cmp(&b.link.ndvi_change.unwrap_or(0.0)))
            .then(a.orchard_id.cmp(&b.orchard_id))
    });
    v
}

#[cfg(test)]
use geo::polygon;

#[cfg(test)]
pub(crate) fn sample_row(orchard_id: i64, flight: &str, date: &str, ndvi: f64, class: HealthClass) -> HealthRecord {
    HealthRecord {
        orchard_id,
        flight_id: flight.into(),
        date: date.into(),
        crop: "mango".into(),
        commune_code: "04000".into(),
        geom: polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 0.0)],
        ndvi_mean: ndvi,
        ndvi_std: 0.1,
        ndvi_p10: ndvi - 0.2,
        ndvi_p50: ndvi,
        ndvi_p90: ndvi + 0.1,
        ndre_mean: Some(0.3),
        pixel_count: 400.0,
        covered_fraction: 1.0,
        canopy_share: 0.6,
        stressed_share: 0.1,
        health_class: class,
        link: Linkage::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthClass::*;

    /// One flight's observations on its date: (parcel, NDVI mean, class) each.
    fn flight(id: &str, date: &str, parcels: &[(i64, f64, HealthClass)]) -> Vec<HealthRecord> {
        parcels.iter().map(|&(parcel, ndvi, class)| sample_row(parcel, id, date, ndvi, class)).collect()
    }

    #[test]
    fn relink_links_each_parcel_to_its_previous_observation() {
        // Out of date order, as a store may hold them; parcel 3 is first seen in flight b.
        let mut rows = [
            flight("b", "2026-04-07", &[(2, 0.5, Stressed), (1, 0.72, Healthy), (3, 0.6, Watch)]),
            flight("a", "2026-03-10", &[(1, 0.7, Healthy), (2, 0.7, Healthy)]),
            flight("c", "2026-05-01", &[(1, 0.4, NoCanopy)]),
        ]
        .concat();
        relink(&mut rows);
        let get = |id: i64, f: &str| rows.iter().find(|r| r.orchard_id == id && r.flight_id == f).unwrap();
        let r = get(2, "b");
        assert_eq!(r.link.prev_flight_id.as_deref(), Some("a"));
        assert!((r.link.ndvi_change.unwrap() + 0.2).abs() < 1e-12);
        assert!(r.link.health_fell && r.link.latest);
        assert!(!get(2, "a").link.latest);
        assert!(!get(1, "b").link.health_fell);
        assert!(get(3, "b").link.ndvi_change.is_none() && !get(3, "b").link.health_fell);
        // Flight c skips nothing for parcel 1: its previous observation is flight b.
        assert_eq!(get(1, "c").link.prev_flight_id.as_deref(), Some("b"));
        assert!(get(1, "c").link.health_fell);
        let d = declines(&rows, "b");
        assert_eq!(d.iter().map(|r| r.orchard_id).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn declines_worst_first() {
        let mut rows = [
            flight("a", "2026-03-10", &[(1, 0.8, Healthy), (2, 0.8, Healthy), (3, 0.8, Healthy)]),
            flight("b", "2026-04-07", &[(1, 0.6, Watch), (2, 0.5, Severe), (3, 0.55, Watch)]),
        ]
        .concat();
        relink(&mut rows);
        let ids: Vec<i64> = declines(&rows, "b").iter().map(|r| r.orchard_id).collect();
        // Severe first; then the two `watch` parcels by drop: 3 (−0.25) before 1 (−0.2).
        assert_eq!(ids, vec![2, 3, 1]);
    }
}
