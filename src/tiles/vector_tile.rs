//! Cutting an MVT tile from one or more vector sources: candidates from the R-tree, geometries from the
//! zoom's generalized level, transformed to tile coordinates, clipped to the buffered square, snapped
//! and encoded — in parallel over the features when there are many.
//!
//! The byte budget: a tile larger than [`TILE_BYTE_BUDGET`] is re-cut with the generalization of
//! coarser zooms (one, two, then three levels up — twice, four and eight times the tolerance); if it
//! is still too large, its features keep only the fields that say why they matter (the layer's
//! priority field and its rank field, e.g. `covered` and `population`); only if that is still too
//! large are features left out — the decision-relevant ones last (uncovered, high-risk, stressed:
//! [`super::priority`]), then by area, length or rank. TileJSON states this per layer.

use geo::{Geometry, MapCoords, Polygon};
use geozero::mvt::tile;
use rayon::prelude::*;

use super::clip::{clip_line, clip_polygon, snap_path, snap_polygon, ClipBox};
use super::mvt::{encode_geometry, encode_tile, LayerBuilder, TileGeom, BUFFER, EXTENT};
use super::tile_id::TileId;
use super::vector_source::VectorSource;
use crate::store::GeomKind;

/// Largest tile (bytes, before HTTP compression) the builder aims for.
pub const TILE_BYTE_BUDGET: usize = 500 * 1024;

/// Features per tile above which clipping runs in parallel.
const PARALLEL_FEATURES: usize = 128;

/// Affine map from EPSG:3857 to tile coordinates (y down).
#[derive(Clone, Copy)]
struct ToTile {
    min_x: f64,
    max_y: f64,
    scale: f64,
}

impl ToTile {
    fn new(t: TileId) -> Self {
        let b = t.bounds();
        Self { min_x: b.min_x, max_y: b.max_y, scale: EXTENT as f64 / t.size_m() }
    }
    #[inline]
    fn apply(&self, x: f64, y: f64) -> [f64; 2] {
        [(x - self.min_x) * self.scale, (self.max_y - y) * self.scale]
    }
}

const CLIP: ClipBox = ClipBox { lo: -(BUFFER as f64), hi: EXTENT as f64 + BUFFER as f64 };

/// Polygons in tile coordinates, clipped to the tile and its buffer and snapped to the grid.
fn polygons_to_tile(polys: &[Polygon<f64>], tt: &ToTile) -> Vec<Vec<Vec<[i32; 2]>>> {
    let mut out = Vec::new();
    for p in polys {
        let local = p.map_coords(|c| {
            let [x, y] = tt.apply(c.x, c.y);
            geo::Coord { x, y }
        });
        for piece in clip_polygon(&local, &CLIP) {
            if let Some(rings) = snap_polygon(&piece) {
                out.push(rings);
            }
        }
    }
    out
}

/// Lines in tile coordinates, clipped (a line may leave and re-enter: several parts) and snapped.
fn lines_to_tile<'a>(lines: impl Iterator<Item = &'a geo::LineString<f64>>, tt: &ToTile) -> Vec<Vec<[i32; 2]>> {
    let mut out = Vec::new();
    for l in lines {
        let pts: Vec<[f64; 2]> = l.0.iter().map(|c| tt.apply(c.x, c.y)).collect();
        for part in clip_line(&pts, &CLIP) {
            let s = snap_path(part);
            if s.len() >= 2 {
                out.push(s);
            }
        }
    }
    out
}

/// A geometry (EPSG:3857) in tile coordinates, clipped; `None` when nothing is left in the tile.
fn to_tile_geom(g: &Geometry<f64>, tt: &ToTile) -> Option<TileGeom> {
    let out = match g {
        Geometry::Point(p) => {
            let q = tt.apply(p.x(), p.y());
            TileGeom::Points(if CLIP.contains(q) { snap_path([q]) } else { vec![] })
        }
        Geometry::MultiPoint(mp) => {
            let pts: Vec<[i32; 2]> = mp
                .0
                .iter()
                .map(|p| tt.apply(p.x(), p.y()))
                .filter(|q| CLIP.contains(*q))
                .map(|q| [q[0].round() as i32, q[1].round() as i32])
                .collect();
            TileGeom::Points(pts)
        }
        Geometry::LineString(l) => TileGeom::Lines(lines_to_tile(std::iter::once(l), tt)),
        Geometry::MultiLineString(ml) => TileGeom::Lines(lines_to_tile(ml.0.iter(), tt)),
        Geometry::Polygon(p) => TileGeom::Polygons(polygons_to_tile(std::slice::from_ref(p), tt)),
        Geometry::MultiPolygon(mp) => TileGeom::Polygons(polygons_to_tile(&mp.0, tt)),
        Geometry::Rect(r) => return to_tile_geom(&Geometry::Polygon(r.to_polygon()), tt),
        Geometry::Triangle(t) => return to_tile_geom(&Geometry::Polygon(t.to_polygon()), tt),
        Geometry::Line(l) => {
            return to_tile_geom(&Geometry::LineString(geo::LineString::from(vec![l.start, l.end])), tt)
        }
        // An MVT feature has one geometry type: a collection contributes its parts of the first type found.
        Geometry::GeometryCollection(gc) => {
            let mut acc: Option<TileGeom> = None;
            for part in gc.0.iter().filter_map(|g| to_tile_geom(g, tt)) {
                acc = Some(match (acc, part) {
                    (None, p) => p,
                    (Some(TileGeom::Points(mut a)), TileGeom::Points(b)) => {
                        a.extend(b);
                        TileGeom::Points(a)
                    }
                    (Some(TileGeom::Lines(mut a)), TileGeom::Lines(b)) => {
                        a.extend(b);
                        TileGeom::Lines(a)
                    }
                    (Some(TileGeom::Polygons(mut a)), TileGeom::Polygons(b)) => {
                        a.extend(b);
                        TileGeom::Polygons(a)
                    }
                    (Some(a), _) => a,
                });
            }
            return acc;
        }
    };
    (!out.is_empty()).then_some(out)
}

/// One layer's features in a tile, cut at the generalization of zoom `level_z`.
struct CutLayer {
    /// (feature index, geometry), ascending by index.
    features: Vec<(usize, TileGeom)>,
}

fn cut_layer(src: &VectorSource, tile: TileId, level_z: u8) -> CutLayer {
    if src.kind == GeomKind::None || src.bounds.is_none() {
        return CutLayer { features: vec![] };
    }
    let tt = ToTile::new(tile);
    let cand = src.candidates(&tile.buffered_bounds(BUFFER as f64 / EXTENT as f64));
    let level = src.level(level_z);
    let one = |i: &usize| level[*i].as_ref().and_then(|g| to_tile_geom(g, &tt)).map(|g| (*i, g));
    let features: Vec<(usize, TileGeom)> = if cand.len() >= PARALLEL_FEATURES {
        cand.par_iter().filter_map(one).collect()
    } else {
        cand.iter().filter_map(one).collect()
    };
    CutLayer { features }
}

/// The fields a feature keeps when its tile sheds attributes: the priority and the rank field.
fn essential_fields(src: &VectorSource) -> Vec<usize> {
    let p = src.priority.field.and_then(|n| src.fields.iter().position(|f| f.name == n));
    let mut v: Vec<usize> = p.into_iter().chain(src.rank_field).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Encode a cut layer: the features with `keep[k]` (all when `None`), with every field or only the
/// essential ones.
fn encode_layer(src: &VectorSource, cut: &CutLayer, keep: Option<&[bool]>, all_fields: bool) -> tile::Layer {
    let mut b = LayerBuilder::new(&src.id);
    let fields: Vec<usize> = if all_fields { (0..src.fields.len()).collect() } else { essential_fields(src) };
    for (k, (i, g)) in cut.features.iter().enumerate() {
        if keep.is_some_and(|keep| !keep[k]) {
            continue;
        }
        let id = src.ids[*i];
        let attrs = fields.iter().map(|f| (src.fields[*f].name.as_str(), &src.values[*i][*f]));
        b.add_feature((id >= 0).then_some(id as u64), g, attrs);
    }
    b.build()
}

/// Rough encoded size of a feature: its command stream and its tags as varints.
fn feature_cost(g: &TileGeom, nfields: usize) -> usize {
    encode_geometry(g).1.len() * 2 + nfields * 4 + 8
}

/// Cut and encode the MVT tile `tile` with one layer per source (named by the source id). `None` when
/// no source has a feature in the tile.
pub fn render_vector_tile(sources: &[&VectorSource], tile: TileId) -> Option<Vec<u8>> {
    render_with_budget(sources, tile, TILE_BYTE_BUDGET)
}

pub(crate) fn render_with_budget(sources: &[&VectorSource], tile: TileId, budget: usize) -> Option<Vec<u8>> {
    // A faceted layer below its overview zoom is cut from its overview (one feature per place).
    let sources: Vec<&VectorSource> = sources.iter().map(|s| s.at_zoom(tile.z)).collect();
    let sources = sources.as_slice();
    let mut cuts: Vec<CutLayer> = Vec::new();
    for coarsen in 0..=3u8 {
        // At coarsen 0 the tile's own zoom; then the generalization of one, two, three zooms up.
        let level_z = tile.z.saturating_sub(coarsen);
        cuts = sources.iter().map(|s| cut_layer(s, tile, level_z)).collect();
        if cuts.iter().all(|c| c.features.is_empty()) {
            return None;
        }
        let layers = sources.iter().zip(&cuts).map(|(s, c)| encode_layer(s, c, None, true)).collect();
        let bytes = encode_tile(layers);
        if bytes.len() <= budget || level_z == 0 {
            if bytes.len() <= budget {
                return Some(bytes);
            }
            break;
        }
    }
    // Still too large: every feature with its essential fields only.
    let layers = sources.iter().zip(&cuts).map(|(s, c)| encode_layer(s, c, None, false)).collect();
    let bytes = encode_tile(layers);
    if bytes.len() <= budget {
        return Some(bytes);
    }
    // Even so: keep the decision-relevant features first, then the most important, that fit.
    let mut order: Vec<(usize, usize, f64, f64, usize)> = Vec::new(); // (layer, k, priority, weight, cost)
    for (li, (s, c)) in sources.iter().zip(&cuts).enumerate() {
        let nf = essential_fields(s).len();
        for (k, (i, g)) in c.features.iter().enumerate() {
            order.push((li, k, s.priority.scores[*i], s.weight[*i], feature_cost(g, nf)));
        }
    }
    order.sort_by(|a, b| b.2.total_cmp(&a.2).then(b.3.total_cmp(&a.3)).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    let mut keep: Vec<Vec<bool>> = cuts.iter().map(|c| vec![false; c.features.len()]).collect();
    let mut target = budget * 9 / 10;
    loop {
        keep.iter_mut().for_each(|k| k.iter_mut().for_each(|v| *v = false));
        let mut used = 0usize;
        for (li, k, _, _, cost) in &order {
            if used + cost > target {
                continue;
            }
            used += cost;
            keep[*li][*k] = true;
        }
        let layers = sources.iter().zip(&cuts).zip(&keep).map(|((s, c), k)| encode_layer(s, c, Some(k), false)).collect();
        let bytes = encode_tile(layers);
        if bytes.len() <= budget || target < 1024 {
            return Some(bytes);
        }
        target = target * 3 / 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FieldType, Layer, Value};
    use crate::tiles::mvt::{decode_geometry, decode_tile, feature_attributes, ring_area2};
    use geo::{point, polygon};
    use std::path::Path;

    fn merc_layer(name: &str, kind: GeomKind) -> Layer {
        Layer::new(name, kind, "EPSG:3857", &[("name", FieldType::Text), ("population", FieldType::Integer)])
    }

    #[test]
    fn point_lands_on_the_expected_tile_pixel() {
        // Tile 1/0/0 spans x ∈ [−W, 0], y ∈ [0, W]; the point (−W/2, W/4) is at (2048, 3072) in tile units.
        let w = super::super::tile_id::WORLD_HALF;
        let mut l = merc_layer("p", GeomKind::Point);
        l.push(5, Some(Geometry::Point(point!(x: -w / 2.0, y: w / 4.0))), vec!["a".into(), Value::Int(3)]);
        let s = VectorSource::from_layer(l, Path::new("t")).unwrap();
        let bytes = render_vector_tile(&[&s], TileId::new(1, 0, 0).unwrap()).unwrap();
        let t = decode_tile(&bytes).unwrap();
        let f = &t.layers[0].features[0];
        assert_eq!(f.id, Some(5));
        let g = decode_geometry(tile::GeomType::Point, &f.geometry).unwrap();
        assert_eq!(g, TileGeom::Points(vec![[2048, 3072]]));
        assert_eq!(feature_attributes(&t.layers[0], f).unwrap()[1], ("population", Value::Int(3)));
        assert!(render_vector_tile(&[&s], TileId::new(1, 1, 1).unwrap()).is_none());
    }

    #[test]
    fn polygon_is_clipped_to_buffer_and_wound_clockwise() {
        let w = super::super::tile_id::WORLD_HALF;
        let mut l = merc_layer("a", GeomKind::Polygon);
        // A square covering the whole tile 1/0/0 and more, counter-clockwise in map coordinates.
        let p = polygon![(x: -w, y: -w / 2.0), (x: w / 2.0, y: -w / 2.0), (x: w / 2.0, y: w), (x: -w, y: w)];
        l.push(1, Some(Geometry::Polygon(p)), vec!["x".into(), Value::Null]);
        let s = VectorSource::from_layer(l, Path::new("t")).unwrap();
        let bytes = render_vector_tile(&[&s], TileId::new(1, 0, 0).unwrap()).unwrap();
        let t = decode_tile(&bytes).unwrap();
        let f = &t.layers[0].features[0];
        let TileGeom::Polygons(polys) = decode_geometry(tile::GeomType::Polygon, &f.geometry).unwrap() else {
            panic!()
        };
        let ring = &polys[0][0];
        assert!(ring_area2(ring) > 0);
        for p in ring {
            assert!((-64..=4160).contains(&p[0]) && (-64..=4160).contains(&p[1]), "{p:?}");
        }
        // Null values are left out: only `name`.
        assert_eq!(f.tags.len(), 2);
    }

    #[test]
    fn byte_budget_sheds_attributes_then_keeps_uncovered_first() {
        // 4,000 distinct points with long names in one zoom-13 tile; every tenth one is uncovered.
        let mut l = Layer::new(
            "d",
            GeomKind::Point,
            "EPSG:3857",
            &[("name", FieldType::Text), ("population", FieldType::Integer), ("covered", FieldType::Integer)],
        );
        for i in 0..4000 {
            let x = 100.0 + (i % 64) as f64 * 50.0;
            let y = 100.0 + (i / 64) as f64 * 50.0;
            let name = format!("hamlet number {i} with a long name").into();
            l.push(i, Some(Geometry::Point(point!(x: x, y: y))), vec![name, Value::Int(i), Value::Int((i % 10 != 0) as i64)]);
        }
        let s = VectorSource::from_layer(l, Path::new("t")).unwrap();
        let tile = TileId::new(13, 4096, 4095).unwrap();
        let full = render_with_budget(&[&s], tile, usize::MAX).unwrap();
        // 150 kB: every point, without its name.
        let slim = render_with_budget(&[&s], tile, 150_000).unwrap();
        assert!(full.len() > 150_000 && slim.len() <= 150_000, "{} {}", full.len(), slim.len());
        let t = decode_tile(&slim).unwrap();
        assert_eq!(t.layers[0].features.len(), 4000);
        assert_eq!(t.layers[0].keys, vec!["population", "covered"]);
        // 20 kB: not every point fits; all 400 uncovered ones do, then the most populous.
        let cut = render_with_budget(&[&s], tile, 20_000).unwrap();
        assert!(cut.len() <= 20_000, "{}", cut.len());
        let t = decode_tile(&cut).unwrap();
        let ids: Vec<u64> = t.layers[0].features.iter().filter_map(|f| f.id).collect();
        assert!(ids.len() < 4000);
        assert!((0..4000).step_by(10).all(|i| ids.contains(&i)), "every uncovered point is kept");
        assert!(ids.contains(&3999) && !ids.contains(&1));
    }
}
