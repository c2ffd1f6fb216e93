//! ITM against NTIA's reference implementation (ITM 1.3 = 1.2.2, `ITM_P2P_TLS`): the 5 example
//! cases NTIA publishes and 120 cases computed with NTIA's code on synthetic mountainous profiles
//! (tests/fixtures/itm, README there). Every loss within 0.01 dB and the warning flags equal, both
//! through `p2p_loss_db` (reference order of operations) and through the radial fast path
//! (`ItmPath::loss_to` at the profile's last point).

use std::path::{Path, PathBuf};

use covermap::radio::itm::cases::{read_case_files, ReferenceCase, Profile};
use covermap::radio::itm::{p2p_cr_loss_db, p2p_loss_db, ItmPath, ItmScratch};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/itm").join(name)
}

fn check_all(pairs: &[(ReferenceCase, Profile)], check_warnings: bool) {
    let mut scratch = ItmScratch::new();
    let mut fast_scratch = ItmScratch::new();
    let mut worst = 0.0f64;
    for (i, (case, pfl)) in pairs.iter().enumerate() {
        let expected = case.expected_db.expect("fixture has A__db");
        let params = case.params().unwrap_or_else(|e| panic!("case {}: {e}", i + 1));
        let r = p2p_loss_db(&pfl.elevations, pfl.spacing_m, &params, &mut scratch)
            .unwrap_or_else(|e| panic!("case {}: {e}", i + 1));
        let diff = (r.loss_db - expected).abs();
        worst = worst.max(diff);
        assert!(diff <= 0.01, "case {}: A = {:.6} dB, reference {expected:.6} dB", i + 1, r.loss_db);
        if check_warnings {
            assert_eq!(
                Some(r.warnings.bits()),
                case.expected_warnings,
                "case {}: warnings {:#06x} ({})",
                i + 1,
                r.warnings.bits(),
                r.warnings
            );
            assert_eq!(Some(r.rtn()), case.expected_rtn, "case {}: rtn", i + 1);
        }

        let mut path = ItmPath::new(&pfl.elevations, pfl.spacing_m, &params, &mut fast_scratch).unwrap();
        let last = path.len() - 1;
        let f = path.loss_to(last).unwrap();
        assert!((f.loss_db - expected).abs() <= 0.01, "case {} (radial path): {} vs {expected}", i + 1, f.loss_db);
        assert_eq!(f.warnings, r.warnings, "case {} (radial path): warnings", i + 1);
    }
    eprintln!("{} cases, largest difference {worst:.2e} dB", pairs.len());
}

#[test]
fn ntia_published_examples() {
    let pairs = read_case_files(&fixture("ntia_p2p.csv"), &fixture("ntia_pfls.csv")).unwrap();
    assert_eq!(pairs.len(), 5);
    // NTIA publishes these losses to 0.01 dB; no warnings column.
    check_all(&pairs, false);
}

#[test]
fn reference_cases_on_mountain_profiles() {
    let pairs = read_case_files(&fixture("cases.csv"), &fixture("profiles.csv")).unwrap();
    assert_eq!(pairs.len(), 120);
    check_all(&pairs, true);
}

#[test]
fn radial_fast_path_equals_reference_order_on_every_prefix() {
    // Every prefix of every reference profile as its own path (up to 400 receivers a profile):
    // the prefix-sum / fused-scan path must agree with the reference-order computation.
    let pairs = read_case_files(&fixture("cases.csv"), &fixture("profiles.csv")).unwrap();
    let mut scratch = ItmScratch::new();
    let mut worst = 0.0f64;
    let mut n = 0usize;
    for (i, (case, pfl)) in pairs.iter().enumerate().step_by(3) {
        let params = case.params().unwrap();
        let mut path = ItmPath::new(&pfl.elevations, pfl.spacing_m, &params, &mut scratch).unwrap();
        let step = (path.len() / 400).max(1);
        for k in (1..path.len()).step_by(step) {
            let fast = path.loss_to(k).unwrap();
            let exact = path.loss_to_reference_order(k).unwrap();
            let d = (fast.loss_db - exact.loss_db).abs();
            worst = worst.max(d);
            n += 1;
            assert!(d < 0.01, "case {} receiver {k}: {} vs {}", i + 1, fast.loss_db, exact.loss_db);
            assert_eq!(fast.warnings, exact.warnings, "case {} receiver {k}", i + 1);
        }
    }
    eprintln!("{n} prefixes, largest difference {worst:.2e} dB");
}

#[test]
fn out_of_range_inputs_give_the_reference_errors() {
    let pairs = read_case_files(&fixture("ntia_p2p.csv"), &fixture("ntia_pfls.csv")).unwrap();
    let (case, pfl) = &pairs[0];
    let mut scratch = ItmScratch::new();
    let run = |c: &ReferenceCase, z: &[f64], scratch: &mut ItmScratch| {
        c.params().and_then(|p| p2p_loss_db(z, pfl.spacing_m, &p, scratch)).unwrap_err().code()
    };
    // 10 MHz → ERROR__FREQUENCY (1009).
    assert_eq!(run(&ReferenceCase { f_mhz: 10.0, ..case.clone() }, &pfl.elevations, &mut scratch), 1009);
    // h_tx 0.2 m → ERROR__TX_TERMINAL_HEIGHT (1000).
    assert_eq!(run(&ReferenceCase { h_tx_m: 0.2, ..case.clone() }, &pfl.elevations, &mut scratch), 1000);
    // N_0 outside 250–400 → ERROR__REFRACTIVITY (1008).
    assert_eq!(run(&ReferenceCase { n_0: 200.0, ..case.clone() }, &pfl.elevations, &mut scratch), 1008);
    assert_eq!(run(&ReferenceCase { n_0: 450.0, ..case.clone() }, &pfl.elevations, &mut scratch), 1008);
    // A profile of one point → path distance out of range (1017).
    assert_eq!(run(case, &pfl.elevations[..1], &mut scratch), 1017);
    // Confidence/reliability: bad reliability → 1007, bad confidence → 1006.
    let p = case.params().unwrap();
    let e = p2p_cr_loss_db(&pfl.elevations, pfl.spacing_m, &p, 50.0, 100.0, &mut scratch).unwrap_err();
    assert_eq!(e.code(), 1007);
    let e = p2p_cr_loss_db(&pfl.elevations, pfl.spacing_m, &p, 0.0, 50.0, &mut scratch).unwrap_err();
    assert_eq!(e.code(), 1006);
}

#[test]
fn confidence_reliability_is_tls_with_location_50() {
    // ITM_P2P_CR(confidence, reliability) = ITM_P2P_TLS(time = reliability, location = 50,
    // situation = confidence) in the reference.
    let pairs = read_case_files(&fixture("cases.csv"), &fixture("profiles.csv")).unwrap();
    let mut scratch = ItmScratch::new();
    for (case, pfl) in pairs.iter().take(10) {
        let p = case.params().unwrap();
        let cr = p2p_cr_loss_db(&pfl.elevations, pfl.spacing_m, &p, 70.0, 90.0, &mut scratch).unwrap();
        let tls_params = covermap::radio::itm::ItmParams { time_pct: 90.0, location_pct: 50.0, situation_pct: 70.0, ..p };
        let tls = p2p_loss_db(&pfl.elevations, pfl.spacing_m, &tls_params, &mut scratch).unwrap();
        assert_eq!(cr.loss_db, tls.loss_db);
    }
}

/// `covermap radio itm-p2p --cases C --profiles P --out OUT` (the real binary); `Err(stderr)` when
/// it fails.
fn itm_p2p(cases: &Path, profiles: &Path, out: &Path) -> Result<(), String> {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_covermap"))
        .args(["radio", "itm-p2p", "--cases"])
        .arg(cases)
        .arg("--profiles")
        .arg(profiles)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
    }
}

#[test]
fn cli_writes_one_loss_per_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    itm_p2p(&fixture("cases.csv"), &fixture("profiles.csv"), &out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("case,A__db,rtn,warnings,expected_A__db,diff__db"));
    let cases = covermap::radio::itm::cases::read_cases(&fixture("cases.csv")).unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), cases.len());
    for (row, case) in rows.iter().zip(&cases) {
        let f: Vec<&str> = row.split(',').collect();
        let a: f64 = f[1].parse().unwrap();
        assert!((a - case.expected_db.unwrap()).abs() <= 0.01, "{row}");
        assert_eq!(f[2].parse::<i32>().ok(), case.expected_rtn);
        assert_eq!(f[3].parse::<u32>().ok(), case.expected_warnings);
    }
    // The NTIA layout (no rtn/warnings columns) works too.
    itm_p2p(&fixture("ntia_p2p.csv"), &fixture("ntia_pfls.csv"), &out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 6);
    // Mismatched files are an error naming the profiles file, not a panic.
    let err = itm_p2p(&fixture("ntia_p2p.csv"), &fixture("profiles.csv"), &out).unwrap_err();
    assert!(err.lines().any(|l| l.starts_with("error: ") && l.contains("profiles.csv")), "{err}");
}
