//! The foundation: CLI, dataset loading and validation, CRS, demo data, the build and its atomicity, scale-out shards, tools, deployment manifests. One test binary (link time dominates CI); each file below was its own binary.

#[path = "../common/mod.rs"]
mod common;

mod deploy_manifests;
mod shard_build;
mod shard_s3;
mod region;
mod tools_cli;
mod atomicity;
mod build;
mod cli;
mod crs;
mod dataset;
mod terrain_drainage;
mod demo_data;
mod validation;
mod reliability_inputs;
mod reliability_loader_property;
