//! The library's error type. Every variant names what was wrong and where (file, layer, feature,
//! parameter), so the CLI can print one clear line and the server a JSON error.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input data: names the file, the layer (when there is one), the feature (when there is one)
    /// and the problem.
    #[error("{}", input_message(.file, .layer, .feature, .problem))]
    Input { file: PathBuf, layer: Option<String>, feature: Option<String>, problem: String },

    /// A parameter (CLI flag, dataset.toml entry, API query) out of range or malformed.
    #[error("parameter `{name}`: {problem}")]
    Param { name: String, problem: String },

    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },

    #[error("{path}: GDAL: {source}")]
    Gdal { path: PathBuf, source: gdal::errors::GdalError },

    #[error("coordinate transformation {from} → {to}: {problem}")]
    Proj { from: String, to: String, problem: String },

    /// The results store is missing, incomplete or unreadable.
    #[error("results store {path}: {problem}")]
    Store { path: PathBuf, problem: String },

    /// A resource limit (image size, disk margin) a request or input exceeds; names the setting.
    #[error("{problem} (limit `{name}`)")]
    Limit { name: String, problem: String },

    /// The store is being written by another writer (process or thread) and this one would not wait.
    #[error("results store {path}: {problem}")]
    Busy { path: PathBuf, problem: String },

    /// A command's options that do not fit together or name nothing (the message names the options).
    #[error("{0}")]
    Usage(String),

    /// An error with what was being done when it happened.
    #[error("{context}: {source}")]
    Context { context: String, source: Box<Error> },

    /// An internal invariant does not hold: a bug in covermap, not bad input.
    #[error("{0}")]
    Invariant(String),

    /// Encoding or decoding a format (JSON, CSV, PNG, gzip, MVT, glyphs) failed.
    #[error("{0}")]
    Codec(String),

    /// The service cannot start or keep running (address, background task, nothing to serve).
    #[error("{0}")]
    Service(String),
}

fn input_message(file: &std::path::Path, layer: &Option<String>, feature: &Option<String>, problem: &str) -> String {
    let mut s = format!("{}", file.display());
    if let Some(l) = layer {
        s.push_str(&format!(", layer `{l}`"));
    }
    if let Some(f) = feature {
        s.push_str(&format!(", feature {f}"));
    }
    s.push_str(": ");
    s.push_str(problem);
    s
}

impl Error {
    pub fn input(file: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        Error::Input { file: file.into(), layer: None, feature: None, problem: problem.into() }
    }
    pub fn layer(file: impl Into<PathBuf>, layer: &str, problem: impl Into<String>) -> Self {
        Error::Input { file: file.into(), layer: Some(layer.to_string()), feature: None, problem: problem.into() }
    }
    pub fn feature(file: impl Into<PathBuf>, layer: &str, feature: impl ToString, problem: impl Into<String>) -> Self {
        Error::Input {
            file: file.into(),
            layer: Some(layer.to_string()),
            feature: Some(feature.to_string()),
            problem: problem.into(),
        }
    }
    pub fn param(name: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Param { name: name.into(), problem: problem.into() }
    }
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
    pub fn gdal(path: impl Into<PathBuf>, source: gdal::errors::GdalError) -> Self {
        Error::Gdal { path: path.into(), source }
    }
    pub fn limit(name: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Limit { name: name.into(), problem: problem.into() }
    }
    pub fn store(path: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        Error::Store { path: path.into(), problem: problem.into() }
    }
    /// This error, prefixed with what was being done (`context: error`).
    pub fn context(self, context: impl Into<String>) -> Self {
        Error::Context { context: context.into(), source: Box::new(self) }
    }
}
