//! Reading ITM reference cases: the CSV layout NTIA's examples use (`h_tx__meter, h_rx__meter,
//! epsilon, sigma, N_0, f__mhz, pol, climate, time, location, situation, mdvar[, A__db[, rtn,
//! warnings]]`, columns found by name) and PFL profile files (one profile a line: number of points
//! − 1, spacing in metres, then the elevations). Fields are trimmed, so stray carriage returns in
//! hand-edited files are harmless.

use std::path::Path;

use super::errors::ItmError;
use super::inputs::ItmParams;
use crate::error::{Error, Result};

/// One point-to-point case: the raw inputs (kept raw so invalid codes reach validation and give the
/// reference's error) and, when the file has them, the expected results.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceCase {
    pub h_tx_m: f64,
    pub h_rx_m: f64,
    pub epsilon: f64,
    pub sigma: f64,
    pub n_0: f64,
    pub f_mhz: f64,
    pub pol: i32,
    pub climate: i32,
    pub time_pct: f64,
    pub location_pct: f64,
    pub situation_pct: f64,
    pub mdvar: i32,
    pub expected_db: Option<f64>,
    pub expected_rtn: Option<i32>,
    pub expected_warnings: Option<u32>,
}

impl ReferenceCase {
    /// The validated parameters, or the reference's error for the first invalid input.
    pub fn params(&self) -> std::result::Result<ItmParams, ItmError> {
        ItmParams::from_codes(
            self.h_tx_m,
            self.h_rx_m,
            self.climate,
            self.n_0,
            self.f_mhz,
            self.pol,
            self.epsilon,
            self.sigma,
            self.mdvar,
            self.time_pct,
            self.location_pct,
            self.situation_pct,
        )
    }
}

/// A terrain profile read from a PFL line.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub spacing_m: f64,
    pub elevations: Vec<f64>,
}

const REQUIRED: [&str; 12] = [
    "h_tx__meter",
    "h_rx__meter",
    "epsilon",
    "sigma",
    "N_0",
    "f__mhz",
    "pol",
    "climate",
    "time",
    "location",
    "situation",
    "mdvar",
];

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// Splits one line into trimmed fields, dropping one empty field left by a trailing comma.
fn fields(line: &str) -> Vec<&str> {
    let mut f: Vec<&str> = line.split(',').map(|s| s.trim()).collect();
    if f.len() > 1 && f.last() == Some(&"") {
        f.pop();
    }
    f
}

/// Reads a cases CSV (NTIA `ntia_p2p.csv` / covermap `cases.csv` layout).
pub fn read_cases(path: &Path) -> Result<Vec<ReferenceCase>> {
    let text = read_text(path)?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| Error::input(path, "empty file: expected a header line"))?;
    let names = fields(header);
    let col = |name: &str| names.iter().position(|n| *n == name);
    let mut idx = [0usize; 12];
    for (k, name) in REQUIRED.iter().enumerate() {
        idx[k] = col(name).ok_or_else(|| Error::input(path, format!("missing column `{name}` in the header")))?;
    }
    let (c_a, c_rtn, c_warn) = (col("A__db"), col("rtn"), col("warnings"));

    let mut cases = Vec::new();
    for (lineno, line) in lines {
        let f = fields(line);
        let at = |c: usize| -> Result<&str> {
            f.get(c).copied().ok_or_else(|| {
                Error::input(path, format!("line {}: {} fields, column `{}` missing", lineno + 1, f.len(), names[c]))
            })
        };
        let num = |c: usize| -> Result<f64> {
            let s = at(c)?;
            s.parse::<f64>()
                .map_err(|_| Error::input(path, format!("line {}: `{}` = {s:?} is not a number", lineno + 1, names[c])))
        };
        let int = |c: usize| -> Result<i32> {
            let v = num(c)?;
            if v.fract() != 0.0 || v.abs() > 1e9 {
                return Err(Error::input(path, format!("line {}: `{}` = {v} is not an integer", lineno + 1, names[c])));
            }
            Ok(v as i32)
        };
        let opt_num = |c: Option<usize>| -> Result<Option<f64>> {
            match c {
                Some(c) if f.get(c).is_some_and(|s| !s.is_empty()) => num(c).map(Some),
                _ => Ok(None),
            }
        };
        let opt_int = |c: Option<usize>| -> Result<Option<i32>> {
            match c {
                Some(c) if f.get(c).is_some_and(|s| !s.is_empty()) => int(c).map(Some),
                _ => Ok(None),
            }
        };
        let warnings = match opt_int(c_warn)? {
            Some(w) if w < 0 => {
                return Err(Error::input(path, format!("line {}: negative warnings value {w}", lineno + 1)))
            }
            w => w.map(|w| w as u32),
        };
        cases.push(ReferenceCase {
            h_tx_m: num(idx[0])?,
            h_rx_m: num(idx[1])?,
            epsilon: num(idx[2])?,
            sigma: num(idx[3])?,
            n_0: num(idx[4])?,
            f_mhz: num(idx[5])?,
            pol: int(idx[6])?,
            climate: int(idx[7])?,
            time_pct: num(idx[8])?,
            location_pct: num(idx[9])?,
            situation_pct: num(idx[10])?,
            mdvar: int(idx[11])?,
            expected_db: opt_num(c_a)?,
            expected_rtn: opt_int(c_rtn)?,
            expected_warnings: warnings,
        });
    }
    Ok(cases)
}

/// Reads a PFL profile file: one profile per non-empty line.
pub fn read_profiles(path: &Path) -> Result<Vec<Profile>> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |what: String| Error::input(path, format!("line {}: {what}", lineno + 1));
        let mut vals = Vec::with_capacity(line.len() / 8);
        for (k, s) in fields(line).iter().enumerate() {
            vals.push(s.parse::<f64>().map_err(|_| bad(format!("value {} = {s:?} is not a number", k + 1)))?);
        }
        if vals.len() < 2 {
            return Err(bad("a PFL line needs the point count − 1, the spacing and the elevations".into()));
        }
        let n = vals[0];
        if n.fract() != 0.0 || n < 0.0 || n > 1e8 {
            return Err(bad(format!("the point count − 1 ({n}) is not a non-negative integer")));
        }
        let n = n as usize;
        if vals.len() - 2 != n + 1 {
            return Err(bad(format!("declares {} points but holds {} elevations", n + 1, vals.len() - 2)));
        }
        out.push(Profile { spacing_m: vals[1], elevations: vals.split_off(2) });
    }
    Ok(out)
}

/// Reads cases and profiles and pairs them (data row N with profile line N).
pub fn read_case_files(cases: &Path, profiles: &Path) -> Result<Vec<(ReferenceCase, Profile)>> {
    let c = read_cases(cases)?;
    let p = read_profiles(profiles)?;
    if c.len() != p.len() {
        return Err(Error::input(
            profiles,
            format!("{} profiles for {} cases in {}", p.len(), c.len(), cases.display()),
        ));
    }
    Ok(c.into_iter().zip(p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_trimmed_fields_and_optional_columns() {
        let (dir, cases) = crate::scratch::scratch("c.csv");
        std::fs::write(
            &cases,
            "h_tx__meter,h_rx__meter,epsilon,sigma,N_0,f__mhz,pol,climate,time,location,situation,mdvar\r,A__db,rtn,warnings\n\
             15.0,5.0,4.0,0.005,380.0,800.0,0,2,10.0,50.0,90.0,12\r,214.415292,1,1280\n",
        )
        .unwrap();
        let c = read_cases(&cases).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].mdvar, 12);
        assert_eq!(c[0].expected_db, Some(214.415292));
        assert_eq!(c[0].expected_warnings, Some(1280));

        let pfl = dir.path().join("p.csv");
        std::fs::write(&pfl, "2,30.5,1,2,3,\n").unwrap();
        let p = read_profiles(&pfl).unwrap();
        assert_eq!(p[0], Profile { spacing_m: 30.5, elevations: vec![1.0, 2.0, 3.0] });
        std::fs::write(&pfl, "3,30.5,1,2,3\n").unwrap();
        assert!(read_profiles(&pfl).unwrap_err().to_string().contains("declares 4 points but holds 3"));
        std::fs::write(&pfl, "2,30.5,1,x,3\n").unwrap();
        assert!(read_profiles(&pfl).unwrap_err().to_string().contains("line 1"));
    }
}
