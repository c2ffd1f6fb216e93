//! TileJSON 3.0.0 documents (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0) and the
//! catalog's per-layer description: tile URLs made absolute from the request's base URL, bounds,
//! center, zooms, and for vector layers `vector_layers` with each field's type, so MapLibre and QGIS
//! can add a layer from one URL.

use serde_json::{json, Value as Json};

use super::catalog::Source;
use super::format::TileFormat;
use super::generalize::{DENSE_POINTS, GENERALIZE_MAX_ZOOM, THIN_BELOW_ZOOM};
use super::vector_tile::TILE_BYTE_BUDGET;
use crate::store::{FieldType, GeomKind};

/// Highest zoom advertised for vector layers (clients overzoom beyond it).
pub const VECTOR_MAXZOOM: u8 = GENERALIZE_MAX_ZOOM;

/// What a client needs to know about one source.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub id: String,
    /// `vector`, `raster`, or `table` (attributes only, no tiles).
    pub kind: &'static str,
    pub format: Option<TileFormat>,
    pub bounds: Option<[f64; 4]>,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub description: String,
    /// TileJSON `vector_layers` entries this source contributes.
    pub vector_layers: Vec<Json>,
    /// Extra facts for the catalog (geometry type, counts, colour map…).
    pub extra: Json,
}

fn field_type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Integer | FieldType::Real => "Number",
        FieldType::Text => "String",
    }
}

/// What a client can rely on in a vector layer's tiles: what is kept at every zoom, and what a tile
/// over its byte budget keeps first.
fn vector_layer_description(v: &super::vector_source::VectorSource) -> String {
    let kept = match v.kind {
        GeomKind::Point | GeomKind::MultiPoint if v.len() <= DENSE_POINTS => "every point at every zoom".to_string(),
        GeomKind::Point | GeomKind::MultiPoint => format!("points thinned below zoom {THIN_BELOW_ZOOM} (more than {DENSE_POINTS})"),
        GeomKind::Polygon | GeomKind::MultiPolygon => "every polygon at every zoom, simplified to one pixel (smaller ones drawn as one pixel)".to_string(),
        _ => "lines simplified to one pixel; lines shorter than a pixel left out".to_string(),
    };
    let first = v.priority.rule.unwrap_or("the largest (area, length) or most populous features first");
    let overview = match &v.overview {
        Some(o) => format!(
            " Below zoom {}: one feature per place (its first row's id and geometry) with each facet's values as fields {} (rounded to 0.01).",
            super::overview::OVERVIEW_BELOW_ZOOM,
            o.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
        None => String::new(),
    };
    format!(
        "{} {} features: {kept}. A tile above {} KiB is generalized further, then keeps only its essential fields, then leaves features out keeping {first}.{overview}",
        v.len(),
        v.geometry_type_name(),
        TILE_BYTE_BUDGET / 1024
    )
}

/// Describe a source.
pub fn info(id: &str, s: &Source) -> SourceInfo {
    match s {
        Source::Vector(v) => {
            let fields: serde_json::Map<String, Json> =
                v.fields.iter().map(|f| (f.name.clone(), Json::from(field_type_name(f.ty)))).collect();
            let has_geom = v.has_geometry();
            SourceInfo {
                id: id.to_string(),
                kind: if has_geom { "vector" } else { "table" },
                format: has_geom.then_some(TileFormat::Mvt),
                bounds: v.lonlat_bounds(),
                minzoom: 0,
                maxzoom: VECTOR_MAXZOOM,
                description: format!("{} ({} features)", v.id, v.len()),
                vector_layers: if has_geom {
                    vec![json!({
                        "id": v.id,
                        "fields": fields,
                        "minzoom": 0,
                        "maxzoom": VECTOR_MAXZOOM,
                        "description": vector_layer_description(v),
                        "keep_first": v.priority.rule,
                    })]
                } else {
                    vec![]
                },
                extra: json!({
                    "geometry_type": v.geometry_type_name(),
                    "feature_count": v.len(),
                    "fields": v.fields.iter().map(|f| json!({"name": f.name, "type": f.ty})).collect::<Vec<_>>(),
                }),
            }
        }
        Source::Raster(r) => SourceInfo {
            id: id.to_string(),
            kind: "raster",
            format: Some(TileFormat::Png),
            bounds: Some(r.lonlat_bounds()),
            minzoom: r.minzoom,
            maxzoom: r.maxzoom,
            description: match r.render {
                super::raster_source::Render::Hillshade => format!("hillshade of {} (offline basemap)", r.path.display()),
                super::raster_source::Render::Colour => format!("{} ({} colour map)", r.name, r.colormap.scheme),
            },
            vector_layers: vec![],
            extra: json!({
                "width": r.width,
                "height": r.height,
                "resolution_m": (r.resolution_m * 100.0).round() / 100.0,
                "unit": r.colormap.unit,
                "colormap": r.colormap.scheme,
                "source": r.name,
            }),
        },
        Source::Archive(a) => SourceInfo {
            id: id.to_string(),
            kind: a.format.source_kind(),
            format: Some(a.format),
            bounds: Some(a.meta.bounds),
            minzoom: a.meta.minzoom,
            maxzoom: a.meta.maxzoom,
            description: if a.meta.description.is_empty() {
                format!("tile archive {}", a.path.display())
            } else {
                a.meta.description.clone()
            },
            vector_layers: a.meta.vector_layers.clone(),
            extra: json!({"archive": a.path.display().to_string()}),
        },
    }
}

/// The TileJSON of a layer list (`ids` as in the URL, e.g. `communes,hamlets`), with tile URLs under
/// `base` (scheme and host, no trailing slash).
pub fn tilejson(ids: &str, infos: &[SourceInfo], base: &str) -> Json {
    let format = infos.first().and_then(|i| i.format).unwrap_or(TileFormat::Mvt);
    let mut bounds: Option<[f64; 4]> = None;
    for b in infos.iter().filter_map(|i| i.bounds) {
        bounds = Some(match bounds {
            None => b,
            Some(a) => [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])],
        });
    }
    let bounds = bounds.unwrap_or([-180.0, -85.051_128_779_806_59, 180.0, 85.051_128_779_806_59]);
    let minzoom = infos.iter().map(|i| i.minzoom).min().unwrap_or(0);
    let maxzoom = infos.iter().map(|i| i.maxzoom).max().unwrap_or(VECTOR_MAXZOOM);
    // Centre zoom: the zoom at which the bounds fit about one 256-px tile, within the layer's zooms.
    let span = (bounds[2] - bounds[0]).max(1e-9);
    let fit = (360.0 / span).log2().floor().clamp(0.0, 22.0) as u8;
    let center_zoom = fit.clamp(minzoom, maxzoom);
    let round = |v: f64| (v * 1e6).round() / 1e6;
    let mut doc = json!({
        "tilejson": "3.0.0",
        "name": ids,
        "description": infos.iter().map(|i| i.description.clone()).collect::<Vec<_>>().join("; "),
        "version": "1.0.0",
        "attribution": "covermap",
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{ids}/{{z}}/{{x}}/{{y}}.{}", format.ext())],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": bounds.map(round),
        "center": [round((bounds[0] + bounds[2]) / 2.0), round((bounds[1] + bounds[3]) / 2.0), center_zoom],
    });
    if format == TileFormat::Mvt {
        let layers: Vec<Json> = infos.iter().flat_map(|i| i.vector_layers.clone()).collect();
        doc["vector_layers"] = Json::from(layers);
    } else {
        doc["legend"] = Json::from(format!("{base}/tiles/{ids}/legend.json"));
    }
    doc
}
