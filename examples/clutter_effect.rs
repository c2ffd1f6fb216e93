//! The effect of the land cover's terminal clutter (issue 17 item 4) on the demo's indicators: the
//! land-cover class shares, and the share of hamlets and people covered outdoors, in a vehicle and
//! indoors with and without `[layers.landcover]` — by the engine at the hamlets (the same values
//! as the rasters' cells), uncalibrated and with the drive-test calibration refitted for each case.
//!
//! `cargo run --release --example clutter_effect [-- DATASET_DIR]` (default `data/sonla`), after
//! `covermap demo-data`.

use covermap::coverage::calibration::calibrate;
use covermap::coverage::sites::prepare_sites;
use covermap::coverage::stage::hamlet_signal_table;
use covermap::coverage::CoverageParams;
use covermap::dataset::landcover::{class_of, class_shares};
use covermap::dataset::{load, Dataset};

fn shares(ds: &Dataset, p: &CoverageParams, rsrp: &[f32]) -> [(f64, f64); 3] {
    let total_h = ds.hamlets.len() as f64;
    let total_p: f64 = ds.hamlets.iter().map(|h| h.population as f64).sum();
    let mut out = [(0.0, 0.0); 3];
    for (k, margin) in [0.0, p.in_vehicle_loss_db, p.indoor_loss_db].into_iter().enumerate() {
        let (mut h, mut pe) = (0.0, 0.0);
        for (i, v) in rsrp.iter().enumerate() {
            if v.is_finite() && *v as f64 - margin >= p.covered_dbm {
                h += 1.0;
                pe += ds.hamlets[i].population as f64;
            }
        }
        out[k] = (100.0 * h / total_h, 100.0 * pe / total_p);
    }
    out
}

fn main() -> anyhow::Result<()> {
    let data = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "data/sonla".into()));
    let cfg = covermap::dataset::DatasetConfig::read(&data)?;
    let params: CoverageParams = cfg.params("coverage")?;
    let mut ds = load::load_with(&cfg, &data)?;
    let Some(lc) = ds.landcover.clone() else { anyhow::bail!("{} has no [layers.landcover]", data.display()) };
    let line: Vec<String> = class_shares(&lc).iter().filter(|(_, s)| *s > 0.0).map(|(c, s)| format!("{} {:.1} %", c.key, s * 100.0)).collect();
    println!("land cover ({} × {} cells): {}", lc.width, lc.height, line.join(", "));
    let mut at_hamlets = std::collections::BTreeMap::<&str, usize>::new();
    for h in &ds.hamlets {
        if let Some((c, r)) = lc.cell_of(h.pos.x(), h.pos.y()) {
            *at_hamlets.entry(class_of(lc.get(c, r)).map_or("none", |k| k.key)).or_default() += 1;
        }
    }
    println!("hamlet cells by class: {at_hamlets:?}");
    println!("{:<34} {:>16} {:>16} {:>16}", "hamlets % / people %", "outdoor", "in vehicle", "indoor");
    for calibrated in [false, true] {
        for with in [false, true] {
            ds.landcover = with.then(|| lc.clone());
            let t = std::time::Instant::now();
            let p = if calibrated {
                let sites = prepare_sites(&ds, &params)?;
                match calibrate(&ds, &params, &sites)? {
                    Some(cal) => CoverageParams { applied: cal.applied.clone(), ..params.clone() },
                    None => params.clone(),
                }
            } else {
                params.clone()
            };
            let rsrp = hamlet_signal_table(&ds, &p)?.rsrp_without(&[]);
            let s = shares(&ds, &p, &rsrp);
            let label = format!("{} {} clutter", if calibrated { "calibrated," } else { "uncalibrated," }, if with { "with" } else { "without" });
            let cell = |(h, pe): (f64, f64)| format!("{h:.1} / {pe:.1}");
            println!("{label:<34} {:>16} {:>16} {:>16}   ({:.0} s)", cell(s[0]), cell(s[1]), cell(s[2]), t.elapsed().as_secs_f64());
        }
    }
    Ok(())
}
