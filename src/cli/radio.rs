//! The `covermap radio …` commands: radio models run on their own inputs, so anyone can check them
//! against reference values. `radio itm-p2p` evaluates ITM point-to-point for every case of a
//! cases CSV (NTIA's `ntia_p2p.csv` layout or covermap's `cases.csv`) with the matching PFL profile
//! line, and writes one `A__db` per case with the reference's `rtn` and `warnings`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use covermap::radio::itm::{cases::read_case_files, p2p_loss_db, ItmScratch};

/// `covermap radio itm-p2p --cases CASES.csv --profiles PROFILES.csv [--out FILE]`.
///
/// Output columns: `case` (1-based data row), `A__db` (empty when the case fails), `rtn` (0
/// success, 1 success with warnings, or the reference's error code), `warnings` (the reference's
/// bit flags, decimal); when the cases file has an `A__db` column, also `expected_A__db` and
/// `diff__db`. Writes to `out`, or stdout when `out` is None. A summary goes to stderr.
pub fn run_itm_p2p(cases: &Path, profiles: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let pairs = read_case_files(cases, profiles)?;
    let with_expected = pairs.iter().any(|(c, _)| c.expected_db.is_some());

    let mut buf = String::with_capacity(64 * pairs.len() + 64);
    buf.push_str("case,A__db,rtn,warnings");
    if with_expected {
        buf.push_str(",expected_A__db,diff__db");
    }
    buf.push('\n');

    let pb = covermap::progress::bar(pairs.len() as u64, "ITM point-to-point");
    let mut scratch = ItmScratch::new();
    let (mut failed, mut max_diff) = (0usize, 0.0f64);
    for (i, (case, profile)) in pairs.iter().enumerate() {
        let result = case.params().and_then(|p| p2p_loss_db(&profile.elevations, profile.spacing_m, &p, &mut scratch));
        match &result {
            Ok(r) => buf.push_str(&format!("{},{:.6},{},{}", i + 1, r.loss_db, r.rtn(), r.warnings.bits())),
            Err(e) => {
                failed += 1;
                buf.push_str(&format!("{},,{},0", i + 1, e.code()));
            }
        }
        if with_expected {
            match (case.expected_db, &result) {
                (Some(x), Ok(r)) => {
                    let diff = r.loss_db - x;
                    max_diff = max_diff.max(diff.abs());
                    buf.push_str(&format!(",{x},{diff:.6}"));
                }
                (Some(x), Err(_)) => buf.push_str(&format!(",{x},")),
                (None, _) => buf.push_str(",,"),
            }
        }
        buf.push('\n');
        pb.inc(1);
    }
    pb.finish_and_clear();

    match out {
        Some(path) => std::fs::write(path, &buf).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().lock().write_all(buf.as_bytes()).context("writing to stdout")?,
    }
    let mut summary = format!(
        "itm-p2p: {} cases ({} failed) in {:.3} s",
        pairs.len(),
        failed,
        t0.elapsed().as_secs_f64()
    );
    if with_expected {
        summary.push_str(&format!("; largest |A__db − expected| = {max_diff:.4} dB"));
    }
    eprintln!("{summary}");
    Ok(())
}
