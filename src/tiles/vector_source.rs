//! A vector layer prepared for serving: reprojected once to EPSG:3857, sorted by id, indexed in an
//! R-tree, with lazily built per-zoom generalized copies (see [`super::generalize`]). Both the tile
//! builder and the OGC API – Features read from it, so a request never touches the store.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use geo::{Area, BoundingRect, Euclidean, Geometry, Length, MapCoords};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use super::generalize::{self, DENSE_POINTS, GENERALIZE_MAX_ZOOM, RANK_FIELDS, THIN_BELOW_ZOOM};
use super::priority::{priorities, Priority};
use super::tile_id::mercator_to_lonlat_bounds;
use crate::crs::{lonlat_to_mercator, Transformer};
use crate::error::{Error, Result};
use crate::grid::Bounds;
use crate::store::{Field, FieldType, GeomKind, Layer, Value};

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

pub struct VectorSource {
    /// Catalog id (the store layer's name).
    pub id: String,
    pub kind: GeomKind,
    pub fields: Vec<Field>,
    /// Feature ids, ascending.
    pub ids: Vec<i64>,
    /// Geometries in EPSG:3857, parallel to `ids`.
    pub geoms: Vec<Option<Geometry<f64>>>,
    pub values: Vec<Vec<Value>>,
    /// Extent of the geometries in EPSG:3857 (`None` for attribute tables and empty layers).
    pub bounds: Option<Bounds>,
    index: RTree<Entry>,
    by_id: HashMap<i64, usize>,
    /// Thinning rank of each feature (points only; see the generalize module).
    rank: Vec<f64>,
    /// Importance when a tile must shed features to fit its byte budget: area, length, or rank.
    pub(crate) weight: Vec<f64>,
    /// Which features a trimmed tile keeps first (uncovered, high-risk, stressed; see [`super::priority`]).
    pub priority: Priority,
    /// The rank field (population) kept with the priority field when a tile sheds attributes.
    pub(crate) rank_field: Option<usize>,
    dense_points: bool,
    levels: Vec<OnceLock<Vec<Option<Geometry<f64>>>>>,
    /// What tiles below [`super::overview::OVERVIEW_BELOW_ZOOM`] are cut from, for a faceted layer
    /// (one feature per place with each facet's values; see [`super::overview`]).
    pub overview: Option<Arc<VectorSource>>,
}

/// Reproject a geometry to EPSG:3857.
fn to_mercator(g: &Geometry<f64>, t: Option<&Transformer>, lonlat: bool) -> Result<Geometry<f64>> {
    if lonlat {
        return Ok(g.map_coords(|c| {
            let (x, y) = lonlat_to_mercator(c.x, c.y);
            geo::Coord { x, y }
        }));
    }
    let mut g = g.clone();
    if let Some(t) = t {
        crate::crs::transform_geometry(&mut g, t)?;
    }
    Ok(g)
}

fn is_lonlat(crs: &str) -> bool {
    let c = crs.trim().to_ascii_uppercase();
    c == "EPSG:4326" || c == "OGC:CRS84" || c == "CRS84"
}

fn is_mercator(crs: &str) -> bool {
    let c = crs.trim().to_ascii_uppercase();
    c == "EPSG:3857" || c == "EPSG:900913"
}

impl VectorSource {
    /// Prepare `layer` (any CRS PROJ knows) for serving. `origin` names where it came from, for errors.
    pub fn from_layer(layer: Layer, origin: &Path) -> Result<Self> {
        let name = layer.name.clone();
        let overview = match super::overview::overview(&layer) {
            Some(o) => Some(Arc::new(VectorSource::from_layer(o, origin)?)),
            None => None,
        };
        let lonlat = is_lonlat(&layer.crs);
        let identity = is_mercator(&layer.crs);
        let has_geom = layer.kind != GeomKind::None && layer.features.iter().any(|f| f.geometry.is_some());
        if has_geom && !lonlat && !identity && layer.crs.trim().is_empty() {
            return Err(Error::layer(origin, &name, "layer has geometries but no CRS"));
        }
        let mut features = layer.features;
        features.sort_by_key(|f| f.id);
        let mut by_id = HashMap::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            if by_id.insert(f.id, i).is_some() {
                return Err(Error::feature(origin, &name, f.id, "duplicate feature id"));
            }
            if f.values.len() != layer.fields.len() {
                return Err(Error::feature(
                    origin,
                    &name,
                    f.id,
                    format!("{} values for {} fields", f.values.len(), layer.fields.len()),
                ));
            }
        }
        // PROJ objects are not shareable between threads: one transformer per chunk of features.
        let crs = layer.crs.clone();
        let geoms: Vec<Option<Geometry<f64>>> = features
            .par_chunks(512)
            .map(|chunk| -> Result<Vec<Option<Geometry<f64>>>> {
                let t = if has_geom && !lonlat && !identity {
                    Some(Transformer::new(&crs, "EPSG:3857").map_err(|e| Error::layer(origin, &name, e.to_string()))?)
                } else {
                    None
                };
                chunk
                    .iter()
                    .map(|f| match &f.geometry {
                        None => Ok(None),
                        Some(g) => to_mercator(g, t.as_ref(), lonlat)
                            .map(Some)
                            .map_err(|e| Error::feature(origin, &name, f.id, e.to_string())),
                    })
                    .collect()
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let ids: Vec<i64> = features.iter().map(|f| f.id).collect();
        let values: Vec<Vec<Value>> = features.into_iter().map(|f| f.values).collect();

        let mut entries = Vec::new();
        let mut bounds: Option<Bounds> = None;
        for (i, g) in geoms.iter().enumerate() {
            let Some(r) = g.as_ref().and_then(|g| g.bounding_rect()) else { continue };
            let (lo, hi) = (r.min(), r.max());
            if ![lo.x, lo.y, hi.x, hi.y].iter().all(|v| v.is_finite()) {
                return Err(Error::feature(origin, &name, ids[i], "geometry has non-finite coordinates"));
            }
            entries.push(GeomWithData::new(Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]), i));
            bounds = Some(match bounds {
                None => Bounds { min_x: lo.x, min_y: lo.y, max_x: hi.x, max_y: hi.y },
                Some(b) => Bounds {
                    min_x: b.min_x.min(lo.x),
                    min_y: b.min_y.min(lo.y),
                    max_x: b.max_x.max(hi.x),
                    max_y: b.max_y.max(hi.y),
                },
            });
        }
        let index = RTree::bulk_load(entries);

        let rank_field = RANK_FIELDS.iter().find_map(|n| {
            layer
                .fields
                .iter()
                .position(|f| f.name == *n && matches!(f.ty, FieldType::Integer | FieldType::Real))
        });
        let rank: Vec<f64> = values
            .iter()
            .map(|v| rank_field.and_then(|k| v[k].as_f64()).unwrap_or(0.0))
            .collect();
        let weight: Vec<f64> = geoms
            .iter()
            .zip(&rank)
            .map(|(g, r)| match g {
                Some(Geometry::Polygon(p)) => p.unsigned_area(),
                Some(Geometry::MultiPolygon(p)) => p.unsigned_area(),
                Some(Geometry::LineString(l)) => Euclidean.length(l),
                Some(Geometry::MultiLineString(l)) => Euclidean.length(l),
                Some(_) => *r,
                None => 0.0,
            })
            .collect();
        let priority = priorities(&layer.fields, &values);
        let point_layer = matches!(layer.kind, GeomKind::Point | GeomKind::MultiPoint);
        let dense_points = point_layer && ids.len() > DENSE_POINTS;
        Ok(Self {
            id: name,
            kind: layer.kind,
            fields: layer.fields,
            ids,
            geoms,
            values,
            bounds,
            index,
            by_id,
            rank,
            weight,
            priority,
            rank_field,
            dense_points,
            levels: (0..=GENERALIZE_MAX_ZOOM).map(|_| OnceLock::new()).collect(),
            overview,
        })
    }

    /// The source a tile of zoom `z` is cut from: the overview below its zoom, else this one.
    pub fn at_zoom(&self, z: u8) -> &VectorSource {
        match &self.overview {
            Some(o) if z < super::overview::OVERVIEW_BELOW_ZOOM => o,
            _ => self,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether the layer is a geometry layer (tiles served, possibly all empty) rather than a table.
    pub fn has_geometry(&self) -> bool {
        self.kind != GeomKind::None
    }

    /// West, south, east, north in degrees.
    pub fn lonlat_bounds(&self) -> Option<[f64; 4]> {
        self.bounds.as_ref().map(mercator_to_lonlat_bounds)
    }

    /// Position of the feature with id `id`.
    pub fn index_of(&self, id: i64) -> Option<usize> {
        self.by_id.get(&id).copied()
    }

    /// Indices (ascending) of the features whose envelope meets `b` (EPSG:3857).
    pub fn candidates(&self, b: &Bounds) -> Vec<usize> {
        let env = AABB::from_corners([b.min_x, b.min_y], [b.max_x, b.max_y]);
        let mut out: Vec<usize> = self.index.locate_in_envelope_intersecting(env).map(|e| e.data).collect();
        out.sort_unstable();
        out
    }

    /// The geometries as shown at zoom `z`: generalized below [`GENERALIZE_MAX_ZOOM`], thinned for dense
    /// point layers below [`THIN_BELOW_ZOOM`]. Built on first use (sequentially, so that a rayon task can
    /// never wait on a level another task of the same thread is building), then kept.
    pub fn level(&self, z: u8) -> &[Option<Geometry<f64>>] {
        if z > GENERALIZE_MAX_ZOOM {
            return &self.geoms;
        }
        self.levels[z as usize].get_or_init(|| self.build_level(z))
    }

    fn build_level(&self, z: u8) -> Vec<Option<Geometry<f64>>> {
        let tol = generalize::pixel_m(z);
        if self.dense_points && z < THIN_BELOW_ZOOM {
            let pos: Vec<Option<(f64, f64)>> = self
                .geoms
                .iter()
                .map(|g| match g {
                    Some(Geometry::Point(p)) => Some((p.x(), p.y())),
                    Some(Geometry::MultiPoint(mp)) => mp.0.first().map(|p| (p.x(), p.y())),
                    _ => None,
                })
                .collect();
            let keep = generalize::thin_points(&pos, &self.rank, &self.ids, z);
            return self.geoms.iter().zip(keep).map(|(g, k)| if k { g.clone() } else { None }).collect();
        }
        self.geoms.iter().map(|g| g.as_ref().and_then(|g| generalize::simplify(g, tol))).collect()
    }

    /// Build the generalized levels for `zooms` in parallel (for exports, before tiles are cut).
    pub fn prepare_levels(&self, zooms: impl IntoIterator<Item = u8>) {
        let zs: Vec<u8> = zooms.into_iter().filter(|z| *z <= GENERALIZE_MAX_ZOOM).collect();
        zs.par_iter().for_each(|z| {
            self.level(*z);
        });
    }

    /// The OGC/TileJSON name of the geometry type.
    pub fn geometry_type_name(&self) -> &'static str {
        match self.kind {
            GeomKind::Point => "point",
            GeomKind::MultiPoint => "multipoint",
            GeomKind::LineString => "linestring",
            GeomKind::MultiLineString => "multilinestring",
            GeomKind::Polygon => "polygon",
            GeomKind::MultiPolygon => "multipolygon",
            GeomKind::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{point, Point};

    #[test]
    fn reprojects_sorts_and_indexes() {
        let mut l = Layer::new("h", GeomKind::Point, "EPSG:32648", &[("population", FieldType::Integer)]);
        // Sơn La city in UTM 48N (see crs.rs test): lon 103.9, lat 21.33.
        l.push(7, Some(Geometry::Point(point!(x: 385926.28, y: 2359068.69))), vec![Value::Int(10)]);
        l.push(3, Some(Geometry::Point(Point::new(400000.0, 2360000.0))), vec![Value::Int(20)]);
        let s = VectorSource::from_layer(l, Path::new("test")).unwrap();
        assert_eq!(s.ids, vec![3, 7]);
        let Some(Geometry::Point(p)) = &s.geoms[1] else { panic!() };
        let (x, y) = lonlat_to_mercator(103.9, 21.33);
        assert!((p.x() - x).abs() < 0.01 && (p.y() - y).abs() < 0.01);
        let b = Bounds { min_x: x - 1.0, min_y: y - 1.0, max_x: x + 1.0, max_y: y + 1.0 };
        assert_eq!(s.candidates(&b), vec![1]);
        assert_eq!(s.index_of(7), Some(1));
    }

    #[test]
    fn duplicate_ids_and_missing_crs_are_errors() {
        let mut l = Layer::new::<&str>("h", GeomKind::Point, "EPSG:4326", &[]);
        l.push(1, Some(Geometry::Point(point!(x: 104.0, y: 21.0))), vec![]);
        l.push(1, Some(Geometry::Point(point!(x: 104.0, y: 21.0))), vec![]);
        let e = VectorSource::from_layer(l, Path::new("results.gpkg")).err().unwrap().to_string();
        assert!(e.contains("layer `h`") && e.contains("feature 1") && e.contains("duplicate"), "{e}");
        let mut l = Layer::new::<&str>("h", GeomKind::Point, "", &[]);
        l.push(1, Some(Geometry::Point(point!(x: 104.0, y: 21.0))), vec![]);
        assert!(VectorSource::from_layer(l, Path::new("x")).is_err());
    }
}
