//! Issue 2 point 2, the CLI: `--help` explains each command and its flags; a bad flag or flag value
//! exits non-zero with exactly one line on stderr.

use super::common;

use common::*;

fn help(args: &[&str]) -> String {
    let r = covermap(args).expect_ok(&format!("covermap {}", args.join(" ")));
    assert!(r.stderr.trim().is_empty(), "help wrote to stderr: {}", r.stderr);
    r.stdout
}

#[test]
fn top_level_help_explains_the_commands() {
    let h = help(&["--help"]);
    for needle in ["demo-data", "build", "serve", "Usage: covermap", "results store", "GeoPackage", "Sơn La"] {
        assert!(h.contains(needle), "`covermap --help` lacks {needle:?}:\n{h}");
    }
    // Each command line carries a sentence, not just a name.
    for cmd in ["demo-data", "build", "serve"] {
        let line = h.lines().find(|l| l.trim_start().starts_with(cmd)).unwrap();
        assert!(line.split_whitespace().count() > 5, "`{cmd}` is not explained: {line}");
    }
    let v = covermap(&["--version"]).expect_ok("--version");
    assert!(v.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", v.stdout);
}

#[test]
fn build_help_explains_its_flags() {
    let h = help(&["build", "--help"]);
    for needle in ["--data", "--out", "--force", "data/sonla", "out/sonla", "dataset.toml", "results.gpkg", "manifest.json"] {
        assert!(h.contains(needle), "`covermap build --help` lacks {needle:?}:\n{h}");
    }
}

#[test]
fn demo_data_help_explains_its_flags() {
    let h = help(&["demo-data", "--help"]);
    for needle in ["--out", "--seed", "--resolution", "--force", "data/sonla", "metres", "seed"] {
        assert!(h.contains(needle), "`covermap demo-data --help` lacks {needle:?}:\n{h}");
    }
    // `help <command>` is the same text.
    assert_eq!(help(&["help", "demo-data"]), h);
}

#[test]
fn serve_help_explains_its_flags() {
    let h = help(&["serve", "--help"]);
    for needle in ["--store", "--bind", "--port", "out/sonla", "127.0.0.1", "8080"] {
        assert!(h.contains(needle), "`covermap serve --help` lacks {needle:?}:\n{h}");
    }
}

#[test]
fn bad_flag_values_fail_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    let out = out.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        // A negative number is a value (not a flag) and the range check names it.
        (&["demo-data", "--out", out, "--resolution", "-5"], &["resolution", "-5", "5–1000"]),
        (&["demo-data", "--out", out, "--resolution", "0"], &["resolution"]),
        (&["demo-data", "--out", out, "--resolution", "abc"], &["abc", "--resolution"]),
        (&["demo-data", "--out", out, "--seed", "-1"], &["-1"]),
        (&["build", "--bogus"], &["--bogus"]),
        (&["build", "--data"], &["--data"]),
        (&["serve", "--port", "70000"], &["70000", "--port"]),
        (&["frobnicate"], &["frobnicate"]),
    ];
    for (args, needles) in cases {
        let r = covermap(args);
        assert!(!r.ok(), "covermap {} succeeded", args.join(" "));
        let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "covermap {}: expected one line on stderr, got:\n{}", args.join(" "), r.stderr);
        assert!(lines[0].starts_with("error:"), "{}", lines[0]);
        for n in *needles {
            assert!(lines[0].contains(n), "covermap {}: {:?} not in {}", args.join(" "), n, lines[0]);
        }
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    assert!(!std::path::Path::new(out).exists(), "a rejected demo-data wrote {out}");
}

/// `build` on a directory without dataset.toml: one line that says how to get the default dataset.
#[test]
fn build_without_a_dataset_says_what_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let r = build(&tmp.path().join("nothing"), &tmp.path().join("out"), &[]);
    assert_one_error_line(&r, &["dataset.toml", "not found", "covermap demo-data"]);
    assert!(!tmp.path().join("out").exists());
}
