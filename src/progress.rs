//! Progress bars for long CLI work (indicatif). Hidden when stderr is not a terminal or when
//! `COVERMAP_QUIET` is set, so tests and CI logs stay clean; stage timings are printed either way.

use indicatif::{ProgressBar, ProgressStyle};

fn hidden() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("COVERMAP_QUIET").is_some() || !std::io::stderr().is_terminal()
}

/// A bar counting `len` items of work, labelled `msg`.
pub fn bar(len: u64, msg: &str) -> ProgressBar {
    if hidden() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>28} [{elapsed_precise}] {wide_bar:.cyan/blue} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.set_message(msg.to_string());
    pb
}

/// A spinner for work of unknown length.
pub fn spinner(msg: &str) -> ProgressBar {
    if hidden() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}
