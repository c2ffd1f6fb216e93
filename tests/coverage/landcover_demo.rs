//! The demo's land cover (issue 17 item 4) on the coarse demo dataset: `generated/landcover.tif` is
//! declared, loads onto the DEM grid with the expected mix of classes (forest, fields, built-up at
//! the hamlets, water), the store carries it as `landcover.tif` with the WorldCover legend, and its
//! clutter never raises a hamlet's signal and lowers it where a hamlet stands among trees or houses.

use super::common;

use covermap::coverage::stage::hamlet_signal_table;
use covermap::coverage::CoverageParams;
use covermap::dataset::landcover::class_shares;
use covermap::store::Store;

#[test]
fn demo_land_cover_classes_store_raster_and_effect_at_hamlets() {
    let data = common::base_dataset();
    let cfg = covermap::dataset::DatasetConfig::read(data).unwrap();
    assert_eq!(cfg.layers["landcover"].file.to_string_lossy(), "generated/landcover.tif");
    let mut ds = covermap::dataset::load(data).unwrap();
    let lc = ds.landcover.clone().expect("the demo declares [layers.landcover]");
    assert_eq!((lc.width, lc.height, lc.transform), (ds.dem.width, ds.dem.height, ds.dem.transform));
    let share = |code: u8| class_shares(&lc).iter().find(|(c, _)| c.code == code).unwrap().1;
    let (trees, crops, built, water) = (share(10), share(40), share(50), share(80));
    // At the tests' 200 m the slopes are gentler than at 30 m (41 % tree cover there): fewer trees.
    assert!((0.1..0.75).contains(&trees), "tree cover {trees}");
    assert!(crops > 0.1, "cropland {crops}");
    assert!(built > 0.0005 && water > 0.002, "built-up {built}, water {water}");
    let at = |p: geo::Point<f64>| lc.cell_of(p.x(), p.y()).map(|(c, r)| lc.get(c, r));
    let built_hamlets = ds.hamlets.iter().filter(|h| at(h.pos) == Some(50)).count();
    assert!(built_hamlets * 2 > ds.hamlets.len(), "{built_hamlets} of {} hamlets on built-up cells", ds.hamlets.len());

    let store = Store::open(common::demo_store()).unwrap();
    let path = store.raster_path("landcover").expect("landcover.tif in the store");
    let stored = covermap::grid::io::read_raster_as::<u8>(path).unwrap();
    assert!(stored.data == lc.data, "the stored land cover is the one the engine used");

    let p = CoverageParams::default();
    let with = hamlet_signal_table(&ds, &p).unwrap().rsrp_without(&[]);
    ds.landcover = None;
    let without = hamlet_signal_table(&ds, &p).unwrap().rsrp_without(&[]);
    let mut lowered = 0;
    for (h, (a, b)) in with.iter().zip(&without).enumerate() {
        if b.is_nan() {
            assert!(a.is_nan(), "hamlet {h}");
            continue;
        }
        if a.is_finite() {
            assert!(*a <= *b + 1e-3, "hamlet {h}: {b} → {a}");
            lowered += (*a < *b - 1.0) as usize;
        }
    }
    assert!(lowered * 2 > ds.hamlets.len(), "{lowered} of {} hamlets lose signal to clutter", ds.hamlets.len());
}
