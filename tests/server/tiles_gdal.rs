//! Independent decoders accept our MVT tiles: GDAL's MVT driver (`ogrinfo -oo Z= -oo X= -oo Y=`) finds
//! the features, attributes and coordinates we put in; decoding and re-encoding gives the same bytes.

use super::server_common as common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use covermap::store::Value;
use covermap::tiles::mvt::{decode_geometry, decode_tile, feature_attributes, encode_tile, LayerBuilder};
use covermap::tiles::{Catalog, TileId};

struct OgrFeature {
    layer: String,
    attrs: BTreeMap<String, String>,
    wkt: String,
}

/// Run ogrinfo on a tile file and parse its features.
fn ogr_features(path: &Path, t: TileId) -> Vec<OgrFeature> {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-al", "-q", "-oo", "CLIP=NO"])
        .args(["-oo", &format!("Z={}", t.z), "-oo", &format!("X={}", t.x), "-oo", &format!("Y={}", t.y)])
        .arg(path)
        .output()
        .expect("ogrinfo is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut feats: Vec<OgrFeature> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("OGRFeature(") {
            let layer = rest.split(')').next().unwrap().to_string();
            feats.push(OgrFeature { layer, attrs: BTreeMap::new(), wkt: String::new() });
        } else if let Some(f) = feats.last_mut() {
            let l = line.trim();
            if let Some((k, v)) = l.split_once(" = ") {
                let name = k.split(" (").next().unwrap().to_string();
                f.attrs.insert(name, v.to_string());
            } else if l.starts_with("POINT") || l.starts_with("MULTI") || l.starts_with("POLYGON") || l.starts_with("LINESTRING") {
                f.wkt = l.to_string();
            }
        }
    }
    feats
}

#[test]
fn gdal_reads_our_tiles() {
    let store = fixture_store();
    let cat = Catalog::from_store(covermap::store::Store::open(&store).unwrap());
    // A zoom-12 tile over the south-west commune (no thinning at 12: every hamlet is kept).
    let (z, x, y) = tile_at(X0 + 4_000.0, Y0 + 4_000.0, 12);
    let t = TileId::new(z as u64, x as u64, y as u64).unwrap();
    let r = cat.resolve("communes,hamlets,roads").unwrap();
    let bytes = Catalog::render(&r, t).unwrap().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tile.pbf");
    std::fs::write(&path, &bytes).unwrap();
    let feats = ogr_features(&path, t);

    // Same features per layer as our own decoding.
    let ours = decode_tile(&bytes).unwrap();
    for l in &ours.layers {
        let n = feats.iter().filter(|f| f.layer == l.name).count();
        assert_eq!(n, l.features.len(), "layer {}", l.name);
        assert!(n > 0, "layer {} empty", l.name);
    }
    // Hamlets: attributes as stored, and coordinates within a tile unit (2.4 m at z12) of the truth.
    let merc = covermap::crs::Transformer::new(CRS, "EPSG:3857").unwrap();
    let unit = t.size_m() / 4096.0;
    let mut checked = 0;
    for f in feats.iter().filter(|f| f.layer == "hamlets") {
        let id: i64 = f.attrs["mvt_id"].parse().unwrap();
        let i = id - 1;
        assert_eq!(f.attrs["population"], hamlet_population(i).to_string());
        assert_eq!(f.attrs["name"], format!("Bản {i}"));
        let (hx, hy) = hamlet_xy(i);
        let (mx, my) = merc.convert(hx, hy).unwrap();
        let nums: Vec<f64> = f.wkt.trim_start_matches("POINT (").trim_end_matches(')').split(' ').map(|v| v.parse().unwrap()).collect();
        assert!((nums[0] - mx).abs() <= unit && (nums[1] - my).abs() <= unit, "{} vs {mx} {my}", f.wkt);
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
    // Communes: typed attributes, the diacritics intact.
    let c = feats.iter().find(|f| f.layer == "communes" && f.attrs["mvt_id"] == "1").unwrap();
    assert_eq!(c.attrs["name"], "Chiềng Cơi");
    assert_eq!(c.attrs["population"], "1000");
    assert!(c.wkt.starts_with("POLYGON") || c.wkt.starts_with("MULTIPOLYGON"));
}

#[test]
fn decode_and_reencode_round_trips() {
    let store = fixture_store();
    let cat = Catalog::from_store(covermap::store::Store::open(&store).unwrap());
    let (lon, lat) = lonlat(X0 + 10_000.0, Y0 + 10_000.0);
    for z in [9u8, 11, 14] {
        let (z, x, y) = tile_of(lon, lat, z);
        let t = TileId::new(z as u64, x as u64, y as u64).unwrap();
        let r = cat.resolve("communes,hamlets,roads").unwrap();
        let bytes = Catalog::render(&r, t).unwrap().unwrap();
        let tile = decode_tile(&bytes).unwrap();
        let mut layers = Vec::new();
        for l in &tile.layers {
            assert_eq!(l.version, 2);
            assert_eq!(l.extent, Some(4096));
            let mut b = LayerBuilder::new(&l.name);
            for f in &l.features {
                let ty = geozero::mvt::tile::GeomType::try_from(f.r#type.unwrap()).unwrap();
                let g = decode_geometry(ty, &f.geometry).unwrap();
                let attrs: Vec<(String, Value)> =
                    feature_attributes(l, f).unwrap().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                b.add_feature(f.id, &g, attrs.iter().map(|(k, v)| (k.as_str(), v)));
            }
            layers.push(b.build());
        }
        assert_eq!(encode_tile(layers), bytes, "z{z}");
    }
}
