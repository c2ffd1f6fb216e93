//! The risk analyses: gdaldem agreement and the stage end to end. One test binary (link time dominates CI); each file below was its own binary.

mod determinism;
mod gdaldem;
mod stage;
mod support;
