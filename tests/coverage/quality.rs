//! Network quality on the synthetic province: the SINR and rate rasters and fields exist and agree;
//! interference only lowers SINR below the noise-limited value; adding a site never lowers RSRP and
//! never raises the SINR of cells it does not serve; more load never raises SINR; rates stay under
//! the band's peak; the speed-tier indicators count what the hamlet fields say.

use covermap::coverage::best::RSRP_NODATA;
use covermap::coverage::quality::sinr::noise_per_re_dbm;
use covermap::coverage::quality::throughput::peak_mbps;
use super::support::{self, run_keeping_rasters};
use covermap::store::MemorySink;
use covermap::coverage::synthetic::{mini_province, three_sector_site};
use covermap::coverage::CoverageParams;
use covermap::grid::Grid;

fn params() -> CoverageParams {
    support::params(1)
}

fn r<'a>(s: &'a MemorySink, name: &str) -> &'a Grid<f32> {
    s.f32_raster(name).unwrap_or_else(|| panic!("{name} missing: {:?}", s.raster_names))
}

#[test]
fn sinr_and_rate_rasters_fields_and_tiers() {
    let ds = mini_province(3);
    let p = params();
    let (sink, out) = run_keeping_rasters(&ds, &p);
    let q = &p.quality;
    let noise = noise_per_re_dbm(20.0, 100, q.noise_figure_db);
    let peak = q.bands.iter().map(|b| peak_mbps(b, q)).fold(0.0, f64::max);
    for op in ["alpha", "beta"] {
        let (rsrp, sinr, dl) = (r(&sink, &format!("rsrp_{op}")), r(&sink, &format!("sinr_{op}")), r(&sink, &format!("dl_mbps_{op}")));
        let (mut served, mut interfered) = (0, 0);
        for i in 0..rsrp.len() {
            assert_eq!(rsrp.data[i] == RSRP_NODATA, sinr.data[i] == RSRP_NODATA, "{op} cell {i}");
            if sinr.data[i] == RSRP_NODATA {
                continue;
            }
            served += 1;
            // Interference only subtracts from the noise-limited SINR (0.01 dB quantization).
            let limit = rsrp.data[i] as f64 - noise;
            assert!((sinr.data[i] as f64) <= limit + 0.01, "{op} cell {i}: {} > {limit}", sinr.data[i]);
            interfered += ((sinr.data[i] as f64) < limit - 3.0) as usize;
            assert!(dl.data[i] >= 0.0 && dl.data[i] as f64 <= peak + 1e-3);
        }
        assert!(served > 10_000 && interfered > 1000, "{op}: {served} served, {interfered} interference-limited");
    }
    let layer = sink.layer("hamlet_coverage").unwrap();
    let (ks, kd, kr) = (layer.field_index("sinr_db").unwrap(), layer.field_index("dl_mbps").unwrap(), layer.field_index("runner_up_site_id").unwrap());
    let ka = layer.field_index("sinr_alpha_db").unwrap();
    let mut with_runner_up = 0;
    for (h, st) in out.hamlets.iter().enumerate() {
        let f = &layer.features[h];
        let (c, row) = ds.dem.cell_of(ds.hamlets[h].pos.x(), ds.hamlets[h].pos.y()).unwrap();
        let a = r(&sink, "sinr_alpha").get(c, row);
        match f.values[ka].as_f64() {
            Some(v) => assert!((v - a as f64).abs() < 0.006, "hamlet {h}"),
            None => assert_eq!(a, RSRP_NODATA),
        }
        let Some(site) = st.serving_site else {
            assert!(f.values[ks].as_f64().is_none());
            continue;
        };
        let op = &ds.sites[site].operator;
        let v = r(&sink, &format!("sinr_{op}")).get(c, row);
        assert!((f.values[ks].as_f64().unwrap() - v as f64).abs() < 0.006, "hamlet {h}");
        assert!(f.values[kd].as_f64().is_some());
        with_runner_up += f.values[kr].as_i64().is_some() as usize;
    }
    assert!(with_runner_up > 40, "{with_runner_up}");
    // The province's tier count is the hamlets whose best operator reaches 5 Mbps.
    let prov = sink.layer("province_indicators").unwrap();
    let got = prov.value(0, "hamlets_dl_5mbps").unwrap().as_i64().unwrap();
    let want = out.quality[0].iter().zip(&out.quality[1]).filter(|(a, b)| a.dl_mbps >= 5.0 || b.dl_mbps >= 5.0).count();
    assert_eq!(got as usize, want);
    assert!(want > 0 && prov.value(0, "share_population_dl_25mbps_beta").unwrap().as_f64().is_some());
    // Outdoor ⊇ in a vehicle ⊇ indoors, each the hamlets whose RSRP less the margin is covered.
    let count = |m: f64| out.hamlets.iter().filter(|s| s.rsrp_dbm as f64 - m >= p.covered_dbm).count() as i64;
    let int = |f: &str| prov.value(0, f).unwrap().as_i64().unwrap();
    assert_eq!(int("hamlets_4g_in_vehicle"), count(p.in_vehicle_loss_db));
    assert_eq!(int("hamlets_4g_indoor"), count(p.indoor_loss_db));
    assert!(int("hamlets_4g") > int("hamlets_4g_in_vehicle") && int("hamlets_4g_in_vehicle") > int("hamlets_4g_indoor"));
    let communes = sink.layer("commune_indicators").unwrap();
    let sum: i64 = (0..communes.features.len()).map(|i| communes.value(i, "hamlets_dl_25mbps_alpha").unwrap().as_i64().unwrap()).sum();
    assert_eq!(sum as usize, out.quality[0].iter().filter(|x| x.dl_mbps >= 25.0).count());
}

#[test]
fn adding_a_site_never_lowers_rsrp_nor_raises_sinr_where_it_does_not_serve() {
    let ds = mini_province(5);
    let p = params();
    let (before, _) = run_keeping_rasters(&ds, &p);
    let mut more = mini_province(5);
    let (x, y) = ds.dem.cell_center(150, 140);
    more.sites.push(three_sector_site(99, "alpha", x, y, 30.0, 1800.0));
    let (after, _) = run_keeping_rasters(&more, &p);
    let (r0, r1) = (r(&before, "rsrp_alpha"), r(&after, "rsrp_alpha"));
    let (s0, s1) = (r(&before, "sinr_alpha"), r(&after, "sinr_alpha"));
    let (mut unserved, mut lowered) = (0, 0);
    for i in 0..r0.len() {
        assert!(r1.data[i] >= r0.data[i], "cell {i}: RSRP {} < {}", r1.data[i], r0.data[i]);
        if r0.data[i] != RSRP_NODATA && r1.data[i] == r0.data[i] {
            // The new site does not serve this cell: its SINR can only fall.
            unserved += 1;
            assert!(s1.data[i] <= s0.data[i] + 1e-4, "cell {i}: SINR {} > {}", s1.data[i], s0.data[i]);
            lowered += (s1.data[i] < s0.data[i] - 0.1) as usize;
        }
    }
    assert!(unserved > 10_000 && lowered > 1000, "{unserved} cells not served by the new site, {lowered} with less SINR");
    // The other operator is untouched.
    assert_eq!(r(&before, "sinr_beta").data, r(&after, "sinr_beta").data);
}

#[test]
fn more_load_never_raises_sinr() {
    let ds = mini_province(3);
    let mut lo = params();
    lo.quality.load = 0.2;
    let mut hi = lo.clone();
    hi.quality.load = 1.0;
    let (a, _) = run_keeping_rasters(&ds, &lo);
    let (b, _) = run_keeping_rasters(&ds, &hi);
    let (sa, sb) = (r(&a, "sinr_alpha"), r(&b, "sinr_alpha"));
    let mut lower = 0;
    for i in 0..sa.len() {
        assert!(sb.data[i] <= sa.data[i] + 1e-6, "cell {i}");
        lower += (sb.data[i] < sa.data[i] - 1.0) as usize;
    }
    assert!(lower > 1000, "{lower}");
    // A fully loaded cell leaves a new user nothing.
    assert!(r(&b, "dl_mbps_alpha").data.iter().all(|v| *v == RSRP_NODATA || *v == 0.0));
}
