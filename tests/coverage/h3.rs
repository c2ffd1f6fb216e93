//! The `coverage_h3` layer end to end on the miniature province: one row per H3 resolution-8 hexagon ×
//! operator (and `any`), the hamlets' population counted once per hexagon and adding up to the
//! hamlets' total, drive tests counted where they are, the layer served (`/collections`, tiles) and
//! exported as CSV with its `h3_index` column.

use super::server_common;

use std::collections::{BTreeMap, BTreeSet};

use covermap::coverage::h3::{cell_at, RESOLUTION};
use covermap::coverage::synthetic::mini_province;
use covermap::coverage::CoverageParams;
use covermap::crs::Transformer;
use covermap::dataset::{MeasureEnv, Measurement};
use covermap::store::Store;
use covermap::tiles::export::{run_export, ExportFormat, ExportOptions};

fn hex_of(t: &Transformer, x: f64, y: f64) -> String {
    let (lon, lat) = t.convert(x, y).unwrap();
    cell_at(lon, lat, RESOLUTION).unwrap().to_string()
}

#[test]
fn coverage_h3_layer_adds_up_and_is_served_and_exported() {
    let mut ds = mini_province(5);
    // Twelve drive-test samples of operator alpha at the first hamlets (fewer than calibration's
    // 30-point minimum, so the model stays as it is).
    ds.measurements = ds
        .hamlets
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, h)| Measurement {
            id: i as i64 + 1,
            operator: "alpha".into(),
            rsrp_dbm: -90.0 - i as f64,
            pos: h.pos,
            time: None,
            band_mhz: None,
            pci: None,
            site_id: None,
            environment: MeasureEnv::Outdoor,
            added: false,
        })
        .collect();
    let params = CoverageParams { max_radius_m: 8000.0, ..Default::default() };
    let (out, out_dir, dir) = server_common::coverage_store(&ds, &params);
    let store = Store::open(&out_dir).unwrap();
    let l = store.layer("coverage_h3").expect("coverage_h3 layer");

    let fields: Vec<&str> = l.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        fields,
        [
            "h3_index",
            "operator",
            "area_share_p90",
            "mean_rsrp_dbm",
            "population",
            "n_measurements",
            "measured_mean_dbm",
            "mean_dl_mbps",
            "area_share_5mbps",
            "area_share_25mbps"
        ]
    );
    let col = |n: &str| l.field_index(n).unwrap();
    let (hi, oi, si, mi, pi, ni, mmi) =
        (col("h3_index"), col("operator"), col("area_share_p90"), col("mean_rsrp_dbm"), col("population"), col("n_measurements"), col("measured_mean_dbm"));

    // Rows per hexagon: the operators, then `any`, with one population.
    let mut ops = out.operators.clone();
    ops.push("any".into());
    let mut by_hex: BTreeMap<String, Vec<&covermap::store::Feature>> = BTreeMap::new();
    for f in &l.features {
        by_hex.entry(f.values[hi].as_str().unwrap().to_string()).or_default().push(f);
    }
    // 12 × 9 km ≈ 108 km² of 0.74 km² hexagons, the ones centred in the province.
    assert!((100..200).contains(&by_hex.len()), "{} hexagons", by_hex.len());
    assert_eq!(l.features.len(), by_hex.len() * ops.len());
    let ids: BTreeSet<i64> = l.features.iter().map(|f| f.id).collect();
    assert_eq!(ids.len(), l.features.len(), "feature ids are unique");
    let mut total_population = 0i64;
    let mut any_share_sum = 0.0;
    let mut tier_any_sum = 0.0;
    for (hex, rows) in &by_hex {
        assert!(hex.len() == 15 && hex.starts_with("88"), "{hex}: an H3 resolution-8 index as h3o prints it");
        let names: Vec<&str> = rows.iter().map(|f| f.values[oi].as_str().unwrap()).collect();
        assert_eq!(names, ops.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "{hex}");
        let pop = rows[0].values[pi].as_i64().unwrap();
        assert!(rows.iter().all(|f| f.values[pi].as_i64() == Some(pop)), "{hex}: one population for every operator");
        total_population += pop;
        for f in rows {
            let share = f.values[si].as_f64().expect("every hexagon here holds DEM cells");
            assert!((0.0..=1.0).contains(&share), "{hex}: share {share}");
            if let Some(m) = f.values[mi].as_f64() {
                assert!((-140.0..=-20.0).contains(&m), "{hex}: mean {m}");
            } else {
                assert_eq!(share, 0.0, "{hex}: covered cells without signal");
            }
        }
        // Speed tiers: shares of the hexagon, ≥ 25 Mbps within ≥ 5 Mbps, `any` (the best rate over
        // the operators, cell by cell) at least every operator's; a mean rate wherever one is known.
        let (t5, t25, dl) = (col("area_share_5mbps"), col("area_share_25mbps"), col("mean_dl_mbps"));
        for f in rows {
            let (a, b) = (f.values[t5].as_f64().expect("a tier share"), f.values[t25].as_f64().expect("a tier share"));
            assert!((0.0..=1.0).contains(&a) && b <= a + 1e-9, "{hex}: {a} {b}");
            match f.values[dl].as_f64() {
                Some(m) => assert!((0.0..=300.0).contains(&m), "{hex}: mean rate {m}"),
                None => assert_eq!(a, 0.0, "{hex}: cells at 5 Mbps without a rate"),
            }
        }
        let any_row = rows.last().unwrap();
        for f in &rows[..rows.len() - 1] {
            for k in [t5, t25] {
                assert!(any_row.values[k].as_f64().unwrap() + 1e-9 >= f.values[k].as_f64().unwrap(), "{hex}: any below an operator");
            }
        }
        tier_any_sum += any_row.values[t5].as_f64().unwrap();
        // `any` is the best over the operators: with one σ for all it is covered wherever one is.
        let any = rows.last().unwrap().values[si].as_f64().unwrap();
        any_share_sum += any;
        if out.operators.iter().all(|o| out.params.sigma_db(Some(o)) == out.params.sigma_db(None)) {
            for f in &rows[..rows.len() - 1] {
                assert!(any + 1e-9 >= f.values[si].as_f64().unwrap(), "{hex}");
            }
        }
    }
    let hamlets_total: i64 = ds.hamlets.iter().map(|h| h.population as i64).sum();
    assert_eq!(total_population, hamlets_total, "population adds up to the hamlets' total");
    assert!(any_share_sum > 0.0 && any_share_sum < by_hex.len() as f64, "some, not all, of the province covered at 90 %");
    assert!(tier_any_sum > 0.0, "some of the province at 5 Mbps");

    // Each hamlet's population is in the hexagon its point is in (h3o through PROJ, independently).
    let t = Transformer::new(&ds.crs, "EPSG:4326").unwrap();
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for h in &ds.hamlets {
        *expected.entry(hex_of(&t, h.pos.x(), h.pos.y())).or_default() += h.population as i64;
    }
    for (hex, pop) in &expected {
        assert_eq!(by_hex[hex][0].values[pi].as_i64(), Some(*pop), "{hex}");
    }
    // Measurements: alpha's rows and `any` count them, beta's do not.
    let mut meas: BTreeMap<String, (i64, f64)> = BTreeMap::new();
    for m in &ds.measurements {
        let e = meas.entry(hex_of(&t, m.pos.x(), m.pos.y())).or_default();
        e.0 += 1;
        e.1 += m.rsrp_dbm;
    }
    let n_total: i64 = l.features.iter().filter(|f| f.values[oi].as_str() == Some("alpha")).map(|f| f.values[ni].as_i64().unwrap()).sum();
    assert_eq!(n_total, 12);
    for (hex, rows) in &by_hex {
        for f in rows {
            let op = f.values[oi].as_str().unwrap();
            let (n, sum) = if op == "beta" { (0, 0.0) } else { meas.get(hex).copied().unwrap_or((0, 0.0)) };
            assert_eq!(f.values[ni].as_i64(), Some(n), "{hex} {op}");
            match f.values[mmi].as_f64() {
                Some(v) => assert!((v - sum / n as f64).abs() < 0.006, "{hex} {op}: {v}"),
                None => assert_eq!(n, 0, "{hex} {op}"),
            }
        }
    }

    // Served: an OGC collection and vector tiles.
    let app = server_common::app_for(&out_dir);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let get = |uri: &str| rt.block_on(server_common::get(&app, uri));
    let cols = get("/collections").json();
    assert!(cols["collections"].as_array().unwrap().iter().any(|c| c["id"] == "coverage_h3"), "{cols}");
    let items = get("/collections/coverage_h3/items?limit=3").json();
    assert_eq!(items["features"][0]["geometry"]["type"], "Polygon");
    assert!(items["features"][0]["properties"]["h3_index"].as_str().is_some());
    let h = &ds.hamlets[0];
    let (lon, lat) = t.convert(h.pos.x(), h.pos.y()).unwrap();
    for z in [8u8, 10, 12] {
        let (z, x, y) = server_common::tile_of(lon, lat, z);
        let r = get(&format!("/tiles/coverage_h3/{z}/{x}/{y}.mvt"));
        assert_eq!(r.status, 200, "z{z}: {}", r.text());
        assert!(server_common::describe_tile(&r.body).contains("coverage_h3"), "z{z}");
    }

    // Items 4 and 6 as the API answers them: per-operator p90 indicators; gaps with `p_covered` and
    // `challenged` (the drive tests above sit on the first hamlets, all at or above −101 dBm).
    let prov = get("/api/indicators?level=province").json();
    for k in ["share_hamlets_4g_p90", "share_population_4g_p90", "share_hamlets_4g_p90_alpha", "share_population_4g_p90_beta"] {
        assert!(prov["rows"][0][k].is_number(), "{k}: {prov}");
    }
    let gaps = get("/api/gaps?limit=1000").json();
    let rows = gaps["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "{gaps}");
    let measured: BTreeSet<i64> = ds.hamlets.iter().take(12).map(|h| h.id).collect();
    for r in rows {
        let p = r["p_covered"].as_f64().unwrap();
        assert!((0.0..0.5).contains(&p), "an uncovered hamlet is covered at under 50 %: {r}");
        let challenged = r["challenged"].as_i64().unwrap() == 1;
        if measured.contains(&r["hamlet_id"].as_i64().unwrap()) {
            assert!(challenged, "a −90…−101 dBm sample on the hamlet contradicts the gap: {r}");
        }
    }

    // Exported as CSV: `id`, the fields (h3_index first), lon/lat of the hexagon's centroid.
    let csv_path = dir.path().join("coverage_h3.csv");
    let s = run_export(&ExportOptions {
        store: out_dir.clone(),
        format: "csv".parse::<ExportFormat>().unwrap(),
        layers: vec!["coverage_h3".into()],
        minzoom: 0,
        maxzoom: 14,
        out: Some(csv_path.clone()),
    })
    .unwrap();
    assert_eq!(s.rows, l.features.len());
    let mut rdr = csv::Reader::from_path(&csv_path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["id", "h3_index", "operator"]);
    assert_eq!(header[header.len() - 2..], ["lon", "lat"]);
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), l.features.len());
    for r in recs.iter().step_by(ops.len()) {
        // The row's lon/lat (the hexagon's centroid) lies in the hexagon its index names.
        let (lon, lat): (f64, f64) = (r[header.len() - 2].parse().unwrap(), r[header.len() - 1].parse().unwrap());
        assert_eq!(cell_at(lon, lat, RESOLUTION).unwrap().to_string(), r[1].to_string());
    }
    let bad = run_export(&ExportOptions {
        store: out_dir,
        format: ExportFormat::Csv,
        layers: vec!["coverage_h3".into(), "hamlet_coverage".into()],
        minzoom: 0,
        maxzoom: 14,
        out: Some(dir.path().join("two.csv")),
    })
    .unwrap_err();
    assert!(bad.to_string().contains("one layer at a time"), "{bad}");
}

