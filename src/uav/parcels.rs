//! Statistics of every orchard parcel a raster covers. Parcels may be in any CRS: each polygon is
//! transformed into the raster's CRS (PROJ), never the raster into the parcels', so pixel values are
//! used as measured. Parcels are independent, so they are processed in parallel, each reading only
//! the raster window under it.

use geo::{Area, BoundingRect, MultiPolygon, Polygon};
use rayon::prelude::*;

use super::coverage::coverage_fractions;
use super::float_raster::F32Raster;
use super::health::{assess, HealthAssessment};
use super::params::UavParams;
use super::zonal::{WeightedValues, ZonalStats};
use crate::crs::{transform_geometry, Transformer};
use crate::dataset::Orchard;
use crate::error::Result;
use crate::grid::Bounds;

/// A parcel transformed into a raster's CRS.
#[derive(Debug, Clone)]
pub struct ParcelInRaster {
    /// Index into the orchard list.
    pub index: usize,
    pub geom: MultiPolygon<f64>,
    /// Area in the raster CRS's units².
    pub area: f64,
}

/// The parcels whose bounding box meets `bounds` (a raster's extent in `raster_crs`), transformed
/// into `raster_crs`.
pub fn parcels_in(orchards: &[Orchard], orchards_crs: &str, raster_crs: &str, bounds: &Bounds) -> Result<Vec<ParcelInRaster>> {
    let same = same_crs(orchards_crs, raster_crs);
    let fwd = if same { None } else { Some(Transformer::new(orchards_crs, raster_crs)?) };
    // Cheap prefilter in the orchards' CRS: the raster extent's corners and edge points mapped back.
    let back = if same { None } else { Some(Transformer::new(raster_crs, orchards_crs)?) };
    let ext = match &back {
        None => *bounds,
        Some(t) => transformed_bounds(bounds, t)?,
    };
    let cand: Vec<usize> = orchards
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            o.geom.bounding_rect().is_some_and(|r| {
                r.max().x >= ext.min_x && r.min().x <= ext.max_x && r.max().y >= ext.min_y && r.min().y <= ext.max_y
            })
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::with_capacity(cand.len());
    for i in cand {
        let mut g: geo::Geometry<f64> = orchards[i].geom.clone().into();
        if let Some(t) = &fwd {
            transform_geometry(&mut g, t)?;
        }
        let geom = match g {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => unreachable!("a polygon stays a polygon"),
        };
        let area = geom.unsigned_area();
        out.push(ParcelInRaster { index: i, geom, area });
    }
    Ok(out)
}

/// What a flight measured in one parcel.
#[derive(Debug, Clone)]
pub struct ParcelObservation {
    /// Index into the orchard list.
    pub index: usize,
    pub ndvi: ZonalStats,
    pub health: HealthAssessment,
    pub ndre_mean: Option<f64>,
}

/// Statistics and health of every parcel with at least `params.min_covered_fraction` of its area
/// under valid NDVI pixels, in orchard order.
pub fn observe_parcels(
    ndvi: &F32Raster,
    ndre: Option<&F32Raster>,
    orchards: &[Orchard],
    orchards_crs: &str,
    params: &UavParams,
) -> Result<Vec<ParcelObservation>> {
    let parcels = parcels_in(orchards, orchards_crs, &ndvi.crs_wkt, &ndvi.bounds())?;
    let cell_area = ndvi.transform.dx * ndvi.transform.dy;
    let results: Vec<Option<ParcelObservation>> = parcels
        .par_iter()
        .map(|p| -> Result<Option<ParcelObservation>> {
            let Some(cov) = coverage_fractions(&p.geom, &ndvi.transform, ndvi.width, ndvi.height) else {
                return Ok(None);
            };
            let values = ndvi.read(cov.col0, cov.row0, cov.w, cov.h)?;
            let mut wv = WeightedValues::from_window(&values, &cov);
            let Some(stats) = ZonalStats::compute(&mut wv, cell_area, p.area) else {
                return Ok(None);
            };
            if stats.covered_fraction < params.min_covered_fraction {
                return Ok(None);
            }
            let o = &orchards[p.index];
            let health = assess(&wv, params.health.for_crop(o.crop));
            let ndre_mean = match ndre {
                // The index rasters of one flight share one grid, so the same coverage applies.
                Some(r) => WeightedValues::from_window(&r.read(cov.col0, cov.row0, cov.w, cov.h)?, &cov).mean(),
                None => None,
            };
            Ok(Some(ParcelObservation { index: p.index, ndvi: stats, health, ndre_mean }))
        })
        .collect::<Result<_>>()?;
    Ok(results.into_iter().flatten().collect())
}

/// Whether two CRS definitions (anything GDAL/PROJ accepts) denote the same CRS.
pub fn same_crs(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (crate::grid::io::spatial_ref(a), crate::grid::io::spatial_ref(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The bounding box of `b` after transformation, from points along its edges.
pub fn transformed_bounds(b: &Bounds, t: &Transformer) -> Result<Bounds> {
    let mut pts = Vec::with_capacity(4 * 17);
    for i in 0..=16 {
        let f = i as f64 / 16.0;
        let x = b.min_x + f * b.width();
        let y = b.min_y + f * b.height();
        pts.extend([(x, b.min_y), (x, b.max_y), (b.min_x, y), (b.max_x, y)]);
    }
    t.convert_all(&mut pts)?;
    let mut out = Bounds { min_x: f64::INFINITY, min_y: f64::INFINITY, max_x: f64::NEG_INFINITY, max_y: f64::NEG_INFINITY };
    for (x, y) in pts {
        out.min_x = out.min_x.min(x);
        out.max_x = out.max_x.max(x);
        out.min_y = out.min_y.min(y);
        out.max_y = out.max_y.max(y);
    }
    Ok(out)
}

/// The footprint of a raster extent as a polygon in another CRS (edges densified).
pub fn footprint_polygon(b: &Bounds, t: Option<&Transformer>) -> Result<Polygon<f64>> {
    let n = 8;
    let mut ring = Vec::with_capacity(4 * n + 1);
    let corners = [(b.min_x, b.max_y), (b.max_x, b.max_y), (b.max_x, b.min_y), (b.min_x, b.min_y)];
    for k in 0..4 {
        let (a, c) = (corners[k], corners[(k + 1) % 4]);
        for i in 0..n {
            let f = i as f64 / n as f64;
            ring.push((a.0 + f * (c.0 - a.0), a.1 + f * (c.1 - a.1)));
        }
    }
    ring.push(ring[0]);
    if let Some(t) = t {
        t.convert_all(&mut ring).map_err(|e| e.context("flight footprint"))?;
    }
    Ok(Polygon::new(ring.into(), vec![]))
}
