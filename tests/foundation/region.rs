//! Issue 16 item 5, `covermap demo-data --region N`: a synthetic region of N × N provinces is one
//! valid dataset (it loads with every check of the loader and `covermap plan` splits it), four
//! provinces' worth of everything, its tile 0 is the province alone (the same hamlets, the same DEM
//! cells), the other tiles are their own terrain, and a region outside 1–6 is refused by name.

use super::common;

use std::collections::BTreeSet;
use std::ffi::OsStr;

use common::*;

fn demo_data_args(out: &std::path::Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec!["demo-data".as_ref(), "--out".as_ref(), out.as_os_str(), "--resolution".as_ref(), "500".as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    covermap(&args)
}

#[test]
fn region_of_four_provinces_is_one_valid_dataset_that_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let (region, province) = (tmp.path().join("region"), tmp.path().join("province"));
    demo_data_args(&region, &["--region", "2"]).expect_ok("demo-data --region 2");
    demo_data_args(&province, &[]).expect_ok("demo-data (the province)");

    let p = covermap::dataset::load::load(&province).unwrap();
    let r = covermap::dataset::load::load(&region).unwrap();
    // One DEM of 2 × 2 province grids, starting where the province's does.
    assert_eq!((r.dem.width, r.dem.height), (2 * p.dem.width, 2 * p.dem.height));
    assert_eq!(r.dem.transform, p.dem.transform);
    // Tile 0 (north-west) is the province's DEM cell for cell; tile 3 (south-east) is other terrain.
    let (w, h) = (p.dem.width, p.dem.height);
    let quadrant = |col: usize, row: usize| -> Vec<u32> {
        (0..h).flat_map(|y| r.dem.data[(row * h + y) * r.dem.width + col * w..][..w].iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect()
    };
    let province_bits: Vec<u32> = p.dem.data.iter().map(|v| v.to_bits()).collect();
    assert!(quadrant(0, 0) == province_bits, "tile 0 of the region is not the province's DEM");
    assert!(quadrant(1, 1) != province_bits, "tile 3 repeats the province's terrain");

    // Four provinces' worth, with codes and ids unique across tiles and references that resolve.
    assert_eq!(r.communes.len(), 4 * p.communes.len());
    assert_eq!(r.districts.len(), 4 * p.districts.len());
    assert_eq!(r.province.0.len(), 4 * p.province.0.len());
    let codes: BTreeSet<&str> = r.communes.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes.len(), r.communes.len(), "commune codes repeat across tiles");
    let district_codes: BTreeSet<&str> = r.districts.iter().map(|d| d.code.as_str()).collect();
    assert!(r.communes.iter().all(|c| district_codes.contains(c.district_code.as_str())), "a commune names a district of no tile");
    assert!(r.orchards.iter().all(|o| codes.contains(o.commune_code.as_str())), "an orchard names a commune of no tile");
    assert!(r.sites.len() > 3 * p.sites.len() && r.hamlets.len() > 3 * p.hamlets.len(), "{} sites, {} hamlets", r.sites.len(), r.hamlets.len());
    assert!(!r.measurements.is_empty() && r.uav_flights.len() == p.uav_flights.len());
    // Every tile has sites, on its own part of the DEM.
    let b = r.dem.bounds();
    let (mx, my) = ((b.min_x + b.max_x) / 2.0, (b.min_y + b.max_y) / 2.0);
    for (east, south) in [(false, false), (true, false), (false, true), (true, true)] {
        let n = r.sites.iter().filter(|s| (s.pos.x() > mx) == east && (s.pos.y() < my) == south).count();
        assert!(n > p.sites.len() / 2, "tile (east {east}, south {south}) has {n} sites");
    }
    // Tile 0's hamlets are the province's, in order, with the same ids (the CSV is a prefix).
    let (rh, ph) = (std::fs::read_to_string(region.join("generated/hamlets.csv")).unwrap(), std::fs::read_to_string(province.join("generated/hamlets.csv")).unwrap());
    assert!(rh.starts_with(&ph), "the region's hamlets do not start with the province's");

    // It plans: every site in one shard, the DEM split into tiles.
    let plan = tmp.path().join("plan.json");
    covermap(&["plan".as_ref(), "--data".as_ref(), region.as_os_str(), "--shards".as_ref(), "4".as_ref(), "--out".as_ref(), plan.as_os_str()])
        .expect_ok("covermap plan on the region");
    let pl = covermap::shard::Plan::read(&plan).unwrap();
    assert_eq!(pl.shards.iter().map(|s| s.sites.len()).sum::<usize>(), r.sites.len());

    // Regenerating with the same options does nothing; another --region is another dataset.
    let again = demo_data_args(&region, &["--region", "2"]).expect_ok("demo-data --region 2 again");
    assert!(again.stderr.contains("nothing to do") && again.stderr.contains("region 2 × 2"), "{}", again.stderr);
}

#[test]
fn region_outside_its_range_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    for n in ["0", "7"] {
        let out = tmp.path().join(format!("r{n}"));
        let r = demo_data_args(&out, &["--region", n]);
        assert_one_error_line(&r, &["region", n, "1–6"]);
        assert!(!out.join("generated").exists(), "--region {n} wrote {}", out.display());
    }
    // Too many cells for the 32-bit grid indices: 6 × 6 provinces at 5 m.
    let r = covermap(&["demo-data".as_ref(), "--out".as_ref(), tmp.path().join("big").as_os_str(), "--region".as_ref(), "6".as_ref(), "--resolution".as_ref(), "5".as_ref()]);
    assert_one_error_line(&r, &["region", "coarser --resolution"]);
}
