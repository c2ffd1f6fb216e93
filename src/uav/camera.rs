//! Multispectral cameras and band mapping: which band of an orthomosaic holds Blue, Green, Red,
//! RedEdge and NIR, and how its stored numbers become surface reflectance (0–1).
//!
//! Presets follow the band order the processing software writes for each camera's reflectance
//! orthomosaic, sorted by wavelength (MicaSense support article "Creating agricultural indices (NDVI,
//! NDRE) in QGIS": RedEdge-3/M/MX: Blue, Green, Red, Red edge, NIR; Altum: the same plus LWIR as band 6;
//! DJI P4 Multispectral stacks from DJI Terra: Blue 450, Green 560, Red 650, RedEdge 730, NIR 840 nm).
//! A `--bands` mapping overrides any preset, and is required for `generic`.
//!
//! Reflectance scaling, first match wins: an explicit scale given by the user; the band's own GDAL
//! scale/offset metadata; floating-point bands are taken as reflectance already; integer bands use the
//! preset's default (MicaSense's 16-bit stacks store reflectance × 32768; the same convention is
//! assumed for integer P4M stacks). A `generic` camera with integer data and no scale is an error
//! rather than a guess.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A spectral band an index may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Blue,
    Green,
    Red,
    RedEdge,
    Nir,
}

impl Band {
    pub const ALL: [Band; 5] = [Band::Blue, Band::Green, Band::Red, Band::RedEdge, Band::Nir];

    pub fn name(self) -> &'static str {
        match self {
            Band::Blue => "blue",
            Band::Green => "green",
            Band::Red => "red",
            Band::RedEdge => "rededge",
            Band::Nir => "nir",
        }
    }

    pub fn parse(s: &str) -> Option<Band> {
        match s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "blue" | "b" => Some(Band::Blue),
            "green" | "g" => Some(Band::Green),
            "red" | "r" => Some(Band::Red),
            "rededge" | "re" => Some(Band::RedEdge),
            "nir" | "nearinfrared" => Some(Band::Nir),
            _ => None,
        }
    }

    /// Position in [`Band::ALL`] (used to index per-band arrays).
    #[inline]
    pub fn slot(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Camera presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Camera {
    /// DJI Phantom 4 Multispectral.
    P4m,
    /// MicaSense RedEdge-3/M/MX/P.
    RedEdge,
    /// MicaSense Altum (5 multispectral bands + thermal).
    Altum,
    /// Anything else: the band mapping must be given.
    Generic,
}

impl Camera {
    pub fn parse(s: &str) -> Result<Camera> {
        match s.trim().to_ascii_lowercase().as_str() {
            "p4m" | "p4-multispectral" | "dji-p4m" => Ok(Camera::P4m),
            "rededge" | "rededge-mx" | "rededge-m" | "micasense" => Ok(Camera::RedEdge),
            "altum" | "altum-pt" => Ok(Camera::Altum),
            "generic" => Ok(Camera::Generic),
            other => Err(Error::param("camera", format!("unknown camera `{other}` (expected p4m, rededge, altum or generic)"))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Camera::P4m => "p4m",
            Camera::RedEdge => "rededge",
            Camera::Altum => "altum",
            Camera::Generic => "generic",
        }
    }

    /// The preset band mapping (1-based band numbers), `None` for `generic`.
    pub fn preset(self) -> Option<BandMapping> {
        match self {
            // All three write reflectance orthomosaics ordered by wavelength; Altum's band 6 (LWIR) is unused.
            Camera::P4m | Camera::RedEdge | Camera::Altum => Some(BandMapping { bands: [1, 2, 3, 4, 5] }),
            Camera::Generic => None,
        }
    }

    /// Reflectance per digital number for integer orthomosaics without scale metadata.
    pub fn default_integer_scale(self) -> Option<f64> {
        match self {
            Camera::P4m | Camera::RedEdge | Camera::Altum => Some(1.0 / 32768.0),
            Camera::Generic => None,
        }
    }
}

impl fmt::Display for Camera {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// 1-based band number of each [`Band`] in the orthomosaic; 0 = not present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandMapping {
    pub bands: [usize; 5],
}

impl BandMapping {
    /// The band number holding `b`, if mapped.
    pub fn get(&self, b: Band) -> Option<usize> {
        match self.bands[b.slot()] {
            0 => None,
            n => Some(n),
        }
    }

    /// Parse `red=3,nir=5,...` (also `;` or whitespace separated). Bands not named keep the value
    /// from `base` (a preset), or stay unmapped.
    pub fn parse(spec: &str, base: Option<BandMapping>) -> Result<BandMapping> {
        let mut m = base.unwrap_or(BandMapping { bands: [0; 5] });
        let mut seen = Vec::new();
        for item in spec.split([',', ';', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            let (name, num) = item
                .split_once('=')
                .ok_or_else(|| Error::param("bands", format!("`{item}`: expected NAME=NUMBER, e.g. nir=5")))?;
            let band = Band::parse(name).ok_or_else(|| {
                Error::param("bands", format!("unknown band `{name}` (expected blue, green, red, rededge, nir)"))
            })?;
            let n: usize = num
                .trim()
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| Error::param("bands", format!("`{item}`: band number must be an integer ≥ 1")))?;
            if seen.contains(&band) {
                return Err(Error::param("bands", format!("band `{band}` given twice")));
            }
            seen.push(band);
            m.bands[band.slot()] = n;
        }
        Ok(m)
    }

    /// Check that `needed` bands are mapped and exist in a file with `count` bands.
    pub fn check(&self, needed: &[Band], count: usize, file: &std::path::Path, camera: Camera) -> Result<()> {
        for &b in needed {
            match self.get(b) {
                None => {
                    return Err(Error::param(
                        "bands",
                        format!("band `{b}` is not mapped (camera {camera}); give it with --bands {b}=N"),
                    ))
                }
                Some(n) if n > count => {
                    return Err(Error::input(
                        file,
                        format!("has {count} band(s), but the band mapping (camera {camera}) puts {b} in band {n}"),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A compact description, e.g. `blue=1,green=2,red=3,rededge=4,nir=5`.
    pub fn describe(&self) -> String {
        Band::ALL
            .iter()
            .filter_map(|b| self.get(*b).map(|n| format!("{b}={n}")))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A camera with its resolved band mapping and optional user scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CameraSetup {
    pub camera: Camera,
    pub mapping: BandMapping,
    /// Reflectance per stored unit, overriding file metadata and presets.
    pub scale: Option<f64>,
}

impl CameraSetup {
    /// Resolve a camera name and an optional `--bands` spec.
    pub fn new(camera: &str, bands: Option<&str>, scale: Option<f64>) -> Result<Self> {
        let camera = Camera::parse(camera)?;
        let mapping = match (bands, camera.preset()) {
            (Some(spec), base) => BandMapping::parse(spec, base)?,
            (None, Some(p)) => p,
            (None, None) => {
                return Err(Error::param(
                    "bands",
                    "camera `generic` needs a band mapping, e.g. --bands blue=1,green=2,red=3,rededge=4,nir=5",
                ))
            }
        };
        if let Some(s) = scale {
            if !(s.is_finite() && s > 0.0) {
                return Err(Error::param("scale", format!("{s} is not a positive number")));
            }
        }
        Ok(Self { camera, mapping, scale })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_wavelength_order() {
        // MicaSense's orthomosaic order for RedEdge-MX: Blue, Green, Red, Red edge, NIR.
        let m = Camera::RedEdge.preset().unwrap();
        assert_eq!(m.get(Band::RedEdge), Some(4));
        assert_eq!(m.get(Band::Nir), Some(5));
        assert!(Camera::Generic.preset().is_none());
    }

    #[test]
    fn parse_overrides_preset() {
        let m = BandMapping::parse("nir=4, rededge=5", Camera::P4m.preset()).unwrap();
        assert_eq!(m.describe(), "blue=1,green=2,red=3,rededge=5,nir=4");
        assert!(BandMapping::parse("nir", None).is_err());
        assert!(BandMapping::parse("nir=0", None).is_err());
        assert!(BandMapping::parse("swir=3", None).is_err());
        assert!(BandMapping::parse("nir=3,nir=4", None).is_err());
    }

    #[test]
    fn generic_needs_mapping() {
        let e = CameraSetup::new("generic", None, None).unwrap_err().to_string();
        assert!(e.contains("--bands"), "{e}");
        let s = CameraSetup::new("generic", Some("red=1,nir=2"), Some(1e-4)).unwrap();
        assert_eq!(s.mapping.get(Band::Red), Some(1));
        assert_eq!(s.mapping.get(Band::Blue), None);
        assert!(CameraSetup::new("sony", None, None).is_err());
    }

    #[test]
    fn missing_band_is_named() {
        let m = Camera::P4m.preset().unwrap();
        let e = m.check(&[Band::Red, Band::Nir], 3, std::path::Path::new("x.tif"), Camera::P4m).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("x.tif") && msg.contains("3 band") && msg.contains("nir"), "{msg}");
    }
}
