//! Physical and logical properties of the coverage engine on synthetic terrain:
//! a ridge between a site and a hamlet lowers its RSRP; raising an omni antenna without downtilt never
//! lowers RSRP at any hamlet; removing a site never raises any indicator.

use covermap::coverage::stage::run;
use covermap::store::MemorySink;
use covermap::coverage::synthetic::{empty_dataset, flat_dem, hash01, hilly_dem, mini_province, omni_site};
use covermap::coverage::{hamlet_rsrp_without_sites, CoverageParams};
use covermap::dataset::Hamlet;
use covermap::store::Layer;
use geo::Point;

fn hamlet(id: i64, x: f64, y: f64) -> Hamlet {
    Hamlet { id, name: format!("h{id}"), commune_code: "C".into(), population: 100, pos: Point::new(x, y) }
}

#[test]
fn moving_a_hamlet_behind_a_ridge_lowers_its_rsrp() {
    // Flat ground with a ridge wall across the north half, 3 km east of an omni site. Two hamlets at
    // the same distance from the site, one whose path passes south of the wall, one behind it.
    let mut dem = flat_dem(400, 100, 30.0, 500.0);
    for r in 0..46 {
        dem.set(150, r, 580.0);
    }
    let mut ds = empty_dataset(dem);
    let c = |col: usize, row: usize| ds.dem.cell_center(col, row);
    let (sx, sy) = c(50, 50);
    let (clear, behind) = (c(250, 80), c(250, 20));
    ds.sites.push(omni_site(1, "a", sx, sy, 30.0, 1800.0));
    ds.hamlets = vec![hamlet(1, clear.0, clear.1), hamlet(2, behind.0, behind.1)];
    let v = hamlet_rsrp_without_sites(&ds, &CoverageParams::default(), &[]).unwrap();
    assert!(v[0] - v[1] > 15.0, "clear {} vs behind the ridge {}", v[0], v[1]);

    // The same on hills: for many random site/hamlet pairs, raising a wall across the path lowers RSRP.
    let base = hilly_dem(300, 300, 30.0, 5, 300.0);
    let mut lowered = 0;
    for k in 0..12i64 {
        let (c0, r0) = (20 + (hash01(k, 1, 9) * 60.0) as usize, 20 + (hash01(k, 2, 9) * 260.0) as usize);
        let (c1, r1) = (220 + (hash01(k, 3, 9) * 60.0) as usize, 20 + (hash01(k, 4, 9) * 260.0) as usize);
        let mut ds = empty_dataset(base.clone());
        let (sx, sy) = ds.dem.cell_center(c0, r0);
        let (hx, hy) = ds.dem.cell_center(c1, r1);
        ds.sites.push(omni_site(1, "a", sx, sy, 30.0, 900.0));
        ds.hamlets = vec![hamlet(1, hx, hy)];
        let params = CoverageParams::default();
        let before = hamlet_rsrp_without_sites(&ds, &params, &[]).unwrap()[0];
        // A wall 150 m above the highest ground, 5 cells thick, across the midpoint of the path.
        let (mc, mr) = ((c0 + c1) / 2, (r0 + r1) / 2);
        let top = ds.dem.data.iter().cloned().fold(f32::MIN, f32::max) + 150.0;
        for r in mr.saturating_sub(40)..(mr + 40).min(300) {
            for c in mc - 2..=mc + 2 {
                ds.dem.set(c, r, top);
            }
        }
        let after = hamlet_rsrp_without_sites(&ds, &params, &[]).unwrap()[0];
        assert!(before.is_nan() || after.is_nan() || after < before, "pair {k}: {before} → {after}");
        lowered += (after.is_nan() && !before.is_nan() || after < before) as usize;
    }
    assert!(lowered >= 10, "{lowered}");
}

#[test]
fn raising_an_omni_antenna_without_downtilt_never_lowers_rsrp() {
    // Omni sites with no tilt over hills, hamlets scattered 1–10 km away (Hata's range starts at
    // 1 km): at every height step, no hamlet loses signal.
    let mut ds = empty_dataset(hilly_dem(400, 400, 30.0, 21, 400.0));
    let (sx, sy) = ds.dem.cell_center(200, 200);
    for k in 0..150i64 {
        let a = hash01(k, 1, 4) * std::f64::consts::TAU;
        let r = 1000.0 + hash01(k, 2, 4) * 4800.0;
        ds.hamlets.push(hamlet(k, sx + r * a.sin(), sy + r * a.cos()));
    }
    let mut params = CoverageParams { max_radius_m: 6000.0, ..Default::default() };
    params.min_rsrp_dbm = -200.0;
    params.reach_margin_db = 100.0;
    let mut last: [Option<Vec<f32>>; 2] = [None, None];
    let mut gained = 0;
    for h in [15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0] {
        for (k, f) in [900.0, 1800.0].into_iter().enumerate() {
            let mut d = empty_dataset(ds.dem.clone());
            d.hamlets = ds.hamlets.clone();
            d.sites.push(omni_site(1, "a", sx, sy, h, f));
            d.sites[0].sectors[0].v_beamwidth_deg = 10.0;
            let v = hamlet_rsrp_without_sites(&d, &params, &[]).unwrap();
            if let Some(prev) = &last[k] {
                for (i, (a, b)) in prev.iter().zip(&v).enumerate() {
                    assert!(*b >= *a - 1e-4, "{f} MHz, height {h} m: hamlet {i} fell from {a} to {b} dBm");
                    gained += (*b > *a + 0.01) as usize;
                }
            }
            last[k] = Some(v);
        }
    }
    assert!(gained > 1000, "{gained}");
}

fn numeric_fields(l: &Layer) -> Vec<(String, usize, f64)> {
    let mut out = Vec::new();
    for (k, f) in l.fields.iter().enumerate() {
        for (i, feat) in l.features.iter().enumerate() {
            if let Some(v) = feat.values[k].as_f64() {
                out.push((format!("{}[{i}].{}", l.name, f.name), k, v));
            }
        }
    }
    out
}

#[test]
fn removing_a_site_never_raises_any_indicator() {
    let ds = mini_province(8);
    let mut params = CoverageParams { max_radius_m: 8000.0, ..Default::default() };
    params.planner.k = 0;
    let layers = |ds: &covermap::dataset::Dataset| {
        let mut sink = MemorySink::default();
        run(ds, &params, &mut sink).unwrap();
        ["province_indicators", "district_indicators", "commune_indicators"].map(|n| sink.layer(n).unwrap().clone())
    };
    let all = layers(&ds);
    let mut strictly_lower = 0;
    for removed in 0..ds.sites.len() {
        let mut d = mini_province(8);
        d.sites.remove(removed);
        let fewer = layers(&d);
        for (a, b) in all.iter().zip(&fewer) {
            for ((name, _, va), (_, _, vb)) in numeric_fields(a).iter().zip(numeric_fields(b)) {
                // Rates depend on SINR: a removed site is also a removed interferer, so the rate tiers
                // may rise where another site serves (issue 17). Every signal-strength figure may not.
                if name.contains("_dl_") || name.contains("mbps") || name.contains("sinr") {
                    continue;
                }
                assert!(vb <= *va + 1e-9, "without site {}: {name} rose from {va} to {vb}", removed + 1);
                strictly_lower += (vb < *va - 1e-9) as usize;
            }
        }
    }
    assert!(strictly_lower > 20, "{strictly_lower}");
}
