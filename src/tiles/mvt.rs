//! Mapbox Vector Tile 2.1 encoding and decoding. The protobuf messages are geozero's (generated from
//! the spec's `vector_tile.proto`); this module writes what the spec leaves to the encoder: geometry
//! command streams (zig-zag deltas, MoveTo/LineTo/ClosePath), deduplicated keys and values, typed values
//! (unsigned/signed integers, doubles, strings), `version = 2` and `extent` written explicitly.
//! Decoding exists for the round-trip tests and for re-encoding archives.

use std::collections::HashMap;

use geozero::mvt::{tile, Message, Tile};

use crate::error::{Error, Result};
use crate::store::Value;

/// Tile coordinate units across a tile.
pub const EXTENT: u32 = 4096;
/// Extra tile units kept around the tile on each side, so line joins and polygon edges render seamlessly.
pub const BUFFER: i32 = 64;
/// The media type of an MVT tile (IANA registration by Mapbox).
pub const MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

const CMD_MOVE_TO: u32 = 1;
const CMD_LINE_TO: u32 = 2;
const CMD_CLOSE_PATH: u32 = 7;

/// A geometry in integer tile coordinates, y downwards. Polygon rings are stored open (the first
/// point not repeated) with exterior rings of positive and holes of negative surveyor's-formula area.
#[derive(Debug, Clone, PartialEq)]
pub enum TileGeom {
    Points(Vec<[i32; 2]>),
    Lines(Vec<Vec<[i32; 2]>>),
    /// Polygons, each a list of rings (exterior first).
    Polygons(Vec<Vec<Vec<[i32; 2]>>>),
}

impl TileGeom {
    pub fn is_empty(&self) -> bool {
        match self {
            TileGeom::Points(p) => p.is_empty(),
            TileGeom::Lines(l) => l.is_empty(),
            TileGeom::Polygons(p) => p.is_empty(),
        }
    }
}

/// Twice the signed area of an open ring by the surveyor's formula, in tile coordinates (y down):
/// positive for the spec's exterior rings (clockwise on screen).
pub fn ring_area2(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    let mut a = 0i64;
    for i in 0..n {
        let p = ring[i];
        let q = ring[(i + 1) % n];
        a += p[0] as i64 * q[1] as i64 - q[0] as i64 * p[1] as i64;
    }
    a
}

#[inline]
fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

#[inline]
fn zigzag(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

#[inline]
fn unzigzag(n: u32) -> i32 {
    ((n >> 1) as i32) ^ -((n & 1) as i32)
}

/// Writes one feature's command stream; the cursor carries over between parts, as the spec requires.
struct GeomWriter {
    cursor: [i32; 2],
    out: Vec<u32>,
}

impl GeomWriter {
    fn push_point(&mut self, p: [i32; 2]) {
        self.out.push(zigzag(p[0].wrapping_sub(self.cursor[0])));
        self.out.push(zigzag(p[1].wrapping_sub(self.cursor[1])));
        self.cursor = p;
    }
    fn path(&mut self, pts: &[[i32; 2]], close: bool) {
        self.out.push(command(CMD_MOVE_TO, 1));
        self.push_point(pts[0]);
        if pts.len() > 1 {
            self.out.push(command(CMD_LINE_TO, (pts.len() - 1) as u32));
            for p in &pts[1..] {
                self.push_point(*p);
            }
        }
        if close {
            self.out.push(command(CMD_CLOSE_PATH, 1));
        }
    }
}

/// The geometry type and command stream of a geometry.
pub fn encode_geometry(g: &TileGeom) -> (tile::GeomType, Vec<u32>) {
    let mut w = GeomWriter { cursor: [0, 0], out: Vec::new() };
    match g {
        TileGeom::Points(pts) => {
            if !pts.is_empty() {
                w.out.push(command(CMD_MOVE_TO, pts.len() as u32));
                for p in pts {
                    w.push_point(*p);
                }
            }
            (tile::GeomType::Point, w.out)
        }
        TileGeom::Lines(lines) => {
            for l in lines.iter().filter(|l| l.len() >= 2) {
                w.path(l, false);
            }
            (tile::GeomType::Linestring, w.out)
        }
        TileGeom::Polygons(polys) => {
            for rings in polys {
                for r in rings.iter().filter(|r| r.len() >= 3) {
                    w.path(r, true);
                }
            }
            (tile::GeomType::Polygon, w.out)
        }
    }
}

/// Decode a command stream (for tests and archive re-encoding). Polygon rings are grouped into
/// polygons by the sign of their area, as the spec defines.
pub fn decode_geometry(ty: tile::GeomType, cmds: &[u32]) -> Result<TileGeom> {
    let bad = |m: &str| Error::Codec(format!("MVT geometry: {m}"));
    let mut parts: Vec<Vec<[i32; 2]>> = Vec::new();
    let mut cur = [0i32, 0i32];
    let mut i = 0;
    while i < cmds.len() {
        let (id, count) = (cmds[i] & 7, cmds[i] >> 3);
        i += 1;
        match id {
            CMD_MOVE_TO | CMD_LINE_TO => {
                if id == CMD_LINE_TO && parts.is_empty() {
                    return Err(bad("LineTo before MoveTo"));
                }
                for _ in 0..count {
                    if i + 1 >= cmds.len() {
                        return Err(bad("truncated parameters"));
                    }
                    cur = [cur[0].wrapping_add(unzigzag(cmds[i])), cur[1].wrapping_add(unzigzag(cmds[i + 1]))];
                    i += 2;
                    // Every MoveTo starts a new line or ring; a multipoint's points all go in one part.
                    if id == CMD_MOVE_TO && (ty != tile::GeomType::Point || parts.is_empty()) {
                        parts.push(Vec::new());
                    }
                    match parts.last_mut() {
                        Some(p) => p.push(cur),
                        None => return Err(bad("no current part")),
                    }
                }
            }
            CMD_CLOSE_PATH => {
                if ty != tile::GeomType::Polygon {
                    return Err(bad("ClosePath outside a polygon"));
                }
            }
            other => return Err(bad(&format!("unknown command {other}"))),
        }
    }
    Ok(match ty {
        tile::GeomType::Point => TileGeom::Points(parts.into_iter().flatten().collect()),
        tile::GeomType::Linestring => TileGeom::Lines(parts),
        tile::GeomType::Polygon => {
            let mut polys: Vec<Vec<Vec<[i32; 2]>>> = Vec::new();
            for r in parts {
                if ring_area2(&r) > 0 || polys.is_empty() {
                    polys.push(vec![r]);
                } else if let Some(p) = polys.last_mut() {
                    p.push(r);
                }
            }
            TileGeom::Polygons(polys)
        }
        tile::GeomType::Unknown => return Err(bad("unknown geometry type")),
    })
}

#[derive(PartialEq, Eq, Hash)]
enum ValueKey {
    Uint(u64),
    Sint(i64),
    Double(u64),
    Text(String),
}

/// Builds one MVT layer: keys and values are deduplicated in first-use order.
pub struct LayerBuilder {
    layer: tile::Layer,
    key_index: HashMap<String, u32>,
    value_index: HashMap<ValueKey, u32>,
}

impl LayerBuilder {
    pub fn new(name: &str) -> Self {
        Self {
            layer: tile::Layer {
                version: 2,
                name: name.to_string(),
                features: Vec::new(),
                keys: Vec::new(),
                values: Vec::new(),
                extent: Some(EXTENT),
            },
            key_index: HashMap::new(),
            value_index: HashMap::new(),
        }
    }

    fn key(&mut self, k: &str) -> u32 {
        if let Some(i) = self.key_index.get(k) {
            return *i;
        }
        let i = self.layer.keys.len() as u32;
        self.layer.keys.push(k.to_string());
        self.key_index.insert(k.to_string(), i);
        i
    }

    /// The index of `v` in the value table; `None` for nulls, which MVT cannot carry (the tag is left out).
    fn value(&mut self, v: &Value) -> Option<u32> {
        let (key, val) = match v {
            Value::Null => return None,
            Value::Real(r) if !r.is_finite() => return None,
            Value::Int(i) if *i >= 0 => {
                (ValueKey::Uint(*i as u64), tile::Value { uint_value: Some(*i as u64), ..Default::default() })
            }
            Value::Int(i) => (ValueKey::Sint(*i), tile::Value { sint_value: Some(*i), ..Default::default() }),
            Value::Real(r) => {
                (ValueKey::Double(r.to_bits()), tile::Value { double_value: Some(*r), ..Default::default() })
            }
            Value::Text(s) => {
                (ValueKey::Text(s.clone()), tile::Value { string_value: Some(s.clone()), ..Default::default() })
            }
        };
        if let Some(i) = self.value_index.get(&key) {
            return Some(*i);
        }
        let i = self.layer.values.len() as u32;
        self.layer.values.push(val);
        self.value_index.insert(key, i);
        Some(i)
    }

    /// Add a feature. `attrs` are (field name, value); nulls are omitted.
    pub fn add_feature<'a>(
        &mut self,
        id: Option<u64>,
        geom: &TileGeom,
        attrs: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) {
        let (ty, geometry) = encode_geometry(geom);
        if geometry.is_empty() {
            return;
        }
        let mut tags = Vec::new();
        for (k, v) in attrs {
            if let Some(vi) = self.value(v) {
                let ki = self.key(k);
                tags.push(ki);
                tags.push(vi);
            }
        }
        self.layer.features.push(tile::Feature { id, tags, r#type: Some(ty as i32), geometry });
    }

    pub fn len(&self) -> usize {
        self.layer.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.layer.features.is_empty()
    }

    pub fn build(self) -> tile::Layer {
        self.layer
    }
}

/// Serialize layers into one tile (empty layers are left out).
pub fn encode_tile(layers: Vec<tile::Layer>) -> Vec<u8> {
    let tile = Tile { layers: layers.into_iter().filter(|l| !l.features.is_empty()).collect() };
    tile.encode_to_vec()
}

pub fn decode_tile(bytes: &[u8]) -> Result<Tile> {
    Tile::decode(bytes).map_err(|e| Error::Codec(format!("MVT decode: {e}")))
}

/// A decoded feature's attributes as (key, value) pairs.
pub fn feature_attributes<'a>(layer: &'a tile::Layer, f: &tile::Feature) -> Result<Vec<(&'a str, Value)>> {
    let mut out = Vec::new();
    for pair in f.tags.chunks(2) {
        let (k, v) = match pair {
            [k, v] => (*k as usize, *v as usize),
            _ => return Err(Error::Codec("MVT feature: odd number of tags".into())),
        };
        let key = layer.keys.get(k).ok_or_else(|| Error::Codec(format!("MVT tag key {k} out of range")))?;
        let val = layer.values.get(v).ok_or_else(|| Error::Codec(format!("MVT tag value {v} out of range")))?;
        let value = if let Some(s) = &val.string_value {
            Value::Text(s.clone())
        } else if let Some(d) = val.double_value {
            Value::Real(d)
        } else if let Some(f) = val.float_value {
            Value::Real(f as f64)
        } else if let Some(i) = val.int_value.or(val.sint_value) {
            Value::Int(i)
        } else if let Some(u) = val.uint_value {
            Value::Int(u as i64)
        } else if let Some(b) = val.bool_value {
            Value::Int(b as i64)
        } else {
            Value::Null
        };
        out.push((key.as_str(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_geometries() {
        // MVT 2.1 specification, section 4.3.5 "Example Geometry Encodings".
        // 4.3.5.1 point (25, 17): [9, 50, 34].
        assert_eq!(encode_geometry(&TileGeom::Points(vec![[25, 17]])).1, vec![9, 50, 34]);
        // 4.3.5.2 multipoint (5,7) (3,2): [17, 10, 14, 3, 9].
        assert_eq!(encode_geometry(&TileGeom::Points(vec![[5, 7], [3, 2]])).1, vec![17, 10, 14, 3, 9]);
        // 4.3.5.3 linestring (2,2) (2,10) (10,10): [9, 4, 4, 18, 0, 16, 16, 0].
        let l = TileGeom::Lines(vec![vec![[2, 2], [2, 10], [10, 10]]]);
        assert_eq!(encode_geometry(&l).1, vec![9, 4, 4, 18, 0, 16, 16, 0]);
        // 4.3.5.4 multilinestring: [9,4,4,18,0,16,16,0,9,17,17,10,4,8].
        let ml = TileGeom::Lines(vec![vec![[2, 2], [2, 10], [10, 10]], vec![[1, 1], [3, 5]]]);
        assert_eq!(encode_geometry(&ml).1, vec![9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8]);
        // 4.3.5.5 polygon (3,6) (8,12) (20,34): [9, 6, 12, 18, 10, 12, 24, 44, 15].
        let p = TileGeom::Polygons(vec![vec![vec![[3, 6], [8, 12], [20, 34]]]]);
        assert_eq!(encode_geometry(&p).1, vec![9, 6, 12, 18, 10, 12, 24, 44, 15]);
        assert!(ring_area2(&[[3, 6], [8, 12], [20, 34]]) > 0, "spec's exterior ring has positive area");
    }

    #[test]
    fn spec_multipolygon_round_trips() {
        // 4.3.5.6 multipolygon: an exterior, a second exterior with a hole.
        let mp = TileGeom::Polygons(vec![
            vec![vec![[0, 0], [10, 0], [10, 10], [0, 10]]],
            vec![vec![[11, 11], [20, 11], [20, 20], [11, 20]], vec![[13, 13], [13, 17], [17, 17], [17, 13]]],
        ]);
        let (ty, cmds) = encode_geometry(&mp);
        assert_eq!(
            cmds,
            vec![
                9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15, 9, 22, 2, 26, 18, 0, 0, 18, 17, 0, 15, 9, 4, 13, 26, 0, 8, 8,
                0, 0, 7, 15
            ]
        );
        assert_eq!(decode_geometry(ty, &cmds).unwrap(), mp);
    }

    #[test]
    fn keys_and_values_are_deduplicated_and_typed() {
        let mut b = LayerBuilder::new("t");
        let g = TileGeom::Points(vec![[1, 1]]);
        let (a, bb, c, d) = (Value::Int(5), Value::Int(-5), Value::Real(5.0), Value::Text("Mường La".into()));
        for _ in 0..3 {
            b.add_feature(Some(1), &g, [("a", &a), ("b", &bb), ("c", &c), ("d", &d), ("n", &Value::Null)]);
        }
        let l = b.build();
        assert_eq!(l.keys, vec!["a", "b", "c", "d"]);
        assert_eq!(l.values.len(), 4);
        assert_eq!(l.values[0].uint_value, Some(5));
        assert_eq!(l.values[1].sint_value, Some(-5));
        assert_eq!(l.values[2].double_value, Some(5.0));
        assert_eq!(l.extent, Some(4096));
        assert_eq!(l.version, 2);
        let bytes = encode_tile(vec![l]);
        let t = decode_tile(&bytes).unwrap();
        let attrs = feature_attributes(&t.layers[0], &t.layers[0].features[2]).unwrap();
        assert_eq!(attrs[3], ("d", Value::Text("Mường La".into())));
        assert_eq!(attrs[1], ("b", Value::Int(-5)));
    }
}
