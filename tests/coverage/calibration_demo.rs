//! Drive-test calibration on the demo data: the generator's truth (in `generated/GENERATED.json`) is
//! the engine's own prediction plus a known bias per operator × band, Gudmundson-correlated
//! shadowing of known σ, a known car-body loss and a few sites off air. The build must recover the
//! biases within 1.5 dB per operator and per operator × band (the off-air sites' one-sided tail,
//! see below) and σ within 1.5 dB, and calibration must lower the held-out error.

use super::common;

use std::collections::BTreeMap;

use covermap::store::{Layer, Store, Value};

fn num(l: &Layer, i: usize, f: &str) -> Option<f64> {
    l.value(i, f).and_then(Value::as_f64)
}
fn text(l: &Layer, i: usize, f: &str) -> String {
    l.value(i, f).and_then(Value::as_str).unwrap_or_default().to_string()
}

#[test]
fn calibration_recovers_the_generators_truth() {
    let data = common::base_dataset();
    let store = Store::open(common::demo_store()).unwrap();
    let marker: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(data.join("generated/GENERATED.json")).unwrap()).unwrap();
    let truth = &marker["drive_tests"];
    let bias: BTreeMap<(String, i64), f64> = truth["bias_db"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| ((b["operator"].as_str().unwrap().to_string(), b["band"].as_f64().unwrap() as i64), b["bias_db"].as_f64().unwrap()))
        .collect();
    let sigma: BTreeMap<String, f64> =
        truth["shadowing"].as_array().unwrap().iter().map(|s| (s["operator"].as_str().unwrap().to_string(), s["sigma_db"].as_f64().unwrap())).collect();
    let samples = truth["samples"].as_u64().unwrap();
    assert!((7_000..=13_000).contains(&samples), "about 10,000 drive-test samples, got {samples}");

    let cal = store.layer("calibration").expect("a calibration table");
    let meas = store.layer("measurements").expect("a measurements layer");
    assert_eq!(meas.features.len() as u64, samples);
    // Per operator: the n-weighted offsets against the n-weighted truth; per group with enough
    // points, each on its own.
    let mut per_op: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    let (mut held_before, mut held_after, mut held_n) = (0.0, 0.0, 0.0);
    for i in 0..cal.features.len() {
        let op = text(cal, i, "operator");
        let band = num(cal, i, "band").unwrap() as i64;
        let n = num(cal, i, "n").unwrap();
        let offset = num(cal, i, "offset_db").unwrap();
        let s = num(cal, i, "sigma_db").unwrap();
        let b = bias[&(op.clone(), band)];
        let e = per_op.entry(op.clone()).or_default();
        e.0 += n * offset;
        e.1 += n * b;
        e.2 += n;
        if n >= 300.0 {
            // 1.5 dB per group: the sites the generator takes off air are still in the model, and
            // the drive tests near them measure another site 15–40 dB lower — a one-sided tail
            // (≈ 10 % of MobiFone 1800's fitted points on the v8 terrain) that 3σ clipping only
            // partly removes, measured 1.01 dB off for that group on the v8 terrain; on v9 (other
            // drive routes, other off-air sites) VNPT 1800 is 1.29 dB off: the tail's weight follows
            // the routes, not the calibration. Per operator (below) 1.5 dB too: VNPT's mean is
            // 1.02 dB off on v9 (an earlier v9 draft had MobiFone's 1.40 dB off).
            assert!((offset - b).abs() < 1.5, "{op} {band} MHz: offset {offset} dB, truth {b} dB");
            assert!((s - sigma[&op]).abs() < 1.5, "{op} {band} MHz: σ {s} dB, truth {} dB", sigma[&op]);
        }
        let nh = num(cal, i, "n_holdout").unwrap();
        if nh > 0.0 {
            held_before += nh * num(cal, i, "rmse_before_db").unwrap().powi(2);
            held_after += nh * num(cal, i, "rmse_after_db").unwrap().powi(2);
            held_n += nh;
        }
    }
    assert_eq!(per_op.len(), 3, "three operators measured");
    for (op, (o, b, n)) in &per_op {
        assert!((o / n - b / n).abs() < 1.5, "{op}: mean offset {} dB, truth {} dB", o / n, b / n);
    }
    let (before, after) = ((held_before / held_n).sqrt(), (held_after / held_n).sqrt());
    assert!(held_n > 1000.0, "held-out points: {held_n}");
    assert!(after < before, "held-out RMSE {before:.2} → {after:.2} dB");
    let loss = num(cal, 0, "in_vehicle_loss_db").unwrap();
    assert!((loss - truth["in_vehicle_loss_db"].as_f64().unwrap()).abs() < 1.0, "car-body loss {loss}");

    // Held-out points are whole 2 km blocks apart from fitted ones by at least the 200 m buffer.
    let xy = |i: usize| match &meas.features[i].geometry {
        Some(geo::Geometry::Point(p)) => (p.x(), p.y()),
        g => panic!("not a point: {g:?}"),
    };
    let role = |i: usize| text(meas, i, "role");
    let held: Vec<(f64, f64)> = (0..meas.features.len()).filter(|i| role(*i) == "holdout").map(xy).collect();
    let fit: Vec<(f64, f64)> = (0..meas.features.len()).filter(|i| role(*i) == "fit").map(xy).collect();
    let min = fit.iter().flat_map(|a| held.iter().map(move |b| (a.0 - b.0).hypot(a.1 - b.1))).fold(f64::INFINITY, f64::min);
    assert!(min >= 200.0, "a fitted point {min:.0} m from a held-out one");

    // Location probability reached the hamlets and the indicators.
    let hc = store.layer("hamlet_coverage").unwrap();
    let p: Vec<f64> = (0..hc.features.len()).filter_map(|i| num(hc, i, "p_covered")).collect();
    assert_eq!(p.len(), hc.features.len());
    assert!(p.iter().all(|v| (0.0..=1.0).contains(v)) && p.iter().any(|v| *v > 0.9) && p.iter().any(|v| *v < 0.5));
    let prov = store.layer("province_indicators").unwrap();
    let (s50, s90) = (num(prov, 0, "share_hamlets_4g").unwrap(), num(prov, 0, "share_hamlets_4g_p90").unwrap());
    assert!(s90 < s50 && s90 > 0.0, "90 % location probability covers fewer hamlets: {s90} vs {s50}");
    for op in per_op.keys() {
        assert!(num(prov, 0, &format!("share_population_4g_p90_{op}")).is_some(), "{op}");
    }
    let gaps = store.layer("coverage_gaps").unwrap();
    assert!(gaps.field_index("p_covered").is_some() && gaps.field_index("challenged").is_some());
    assert!(store.raster_path("coverage_probability").is_some());
}
