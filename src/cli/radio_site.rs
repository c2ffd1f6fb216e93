//! `covermap radio site --dem FILE --lon X --lat Y --height M --freq MHZ --radius KM [--model …]`:
//! one site's basic transmission loss (or RSRP with `--eirp`) over any DEM as a Float32 COG —
//! SPLAT!'s job, through the build's coverage engine ([`covermap::coverage::site_raster`]), with the
//! ITM parameters SPLAT! takes (its `.lrp` file: ε, σ, N₀, climate, polarisation, time/location/
//! situation percentages).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

use covermap::coverage::site_raster::{site_raster, SiteSpec};
use covermap::grid::metric_dem::read_metric_dem_around;
use covermap::radio::hata::Environment;
use covermap::radio::itm::{Climate, ItmParams, Mdvar, Polarization, DEFAULT_RADIAL_DELTA_H_STEP};
use covermap::radio::{FreeSpace, Hata, Propagation};

#[derive(Clone, Copy, ValueEnum)]
pub enum Model {
    Itm,
    Hata,
    Cost231,
    Fspl,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ClimateArg {
    Equatorial,
    ContinentalSubtropical,
    MaritimeSubtropical,
    Desert,
    ContinentalTemperate,
    MaritimeTemperateLand,
    MaritimeTemperateSea,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PolArg {
    Vertical,
    Horizontal,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EnvArg {
    Open,
    Suburban,
    Urban,
    Metropolitan,
}

#[derive(Args)]
pub struct SiteArgs {
    /// DEM (any raster GDAL reads; degrees are warped into the UTM zone of the centre).
    #[arg(long)]
    pub dem: PathBuf,
    /// Site longitude (degrees, WGS 84).
    #[arg(long, allow_negative_numbers = true)]
    pub lon: f64,
    /// Site latitude (degrees, WGS 84).
    #[arg(long, allow_negative_numbers = true)]
    pub lat: f64,
    /// Antenna height above ground (m).
    #[arg(long)]
    pub height: f64,
    /// Frequency (MHz).
    #[arg(long)]
    pub freq: f64,
    /// Radius of the prediction (km).
    #[arg(long)]
    pub radius: f64,
    /// Propagation model.
    #[arg(long, value_enum, default_value = "itm")]
    pub model: Model,
    /// Receiver height above ground (m).
    #[arg(long = "rx-height", default_value_t = 1.5)]
    pub rx_height: f64,
    /// ITM radio climate.
    #[arg(long, value_enum, default_value = "continental-temperate")]
    pub climate: ClimateArg,
    /// ITM ground relative permittivity ε (SPLAT!'s default 15).
    #[arg(long, default_value_t = 15.0)]
    pub epsilon: f64,
    /// ITM ground conductivity σ (S/m).
    #[arg(long, default_value_t = 0.005)]
    pub sigma: f64,
    /// ITM surface refractivity N₀ (N-units).
    #[arg(long, default_value_t = 301.0)]
    pub n0: f64,
    /// ITM polarisation.
    #[arg(long, value_enum, default_value = "vertical")]
    pub polarization: PolArg,
    /// ITM time percentage (SPLAT!'s "fraction of time", reliability).
    #[arg(long, default_value_t = 50.0)]
    pub time: f64,
    /// ITM location percentage.
    #[arg(long, default_value_t = 50.0)]
    pub location: f64,
    /// ITM situation percentage (SPLAT!'s "fraction of situations", confidence).
    #[arg(long, default_value_t = 50.0)]
    pub situation: f64,
    /// ITM mode of variability (NTIA mdvar: 0–3, +10, +20).
    #[arg(long, default_value_t = 2)]
    pub mdvar: i32,
    /// ITM: the exact model at every cell (Δh computed for every receiver). By default Δh, the
    /// terrain irregularity, is computed at receivers 1/16 of their distance apart along each
    /// radial and interpolated between (30 km over Sơn La: mean 0.027 dB, p99 0.15 dB, max 1.2 dB
    /// from the exact raster, in ~57 % of its CPU time; docs/ARCHITECTURE.md).
    #[arg(long, conflicts_with = "delta_h_step")]
    pub exact: bool,
    /// ITM: the spacing of the receivers at which Δh is computed along a radial, as a fraction of
    /// their distance (0–0.5; 0 is `--exact`).
    #[arg(long = "delta-h-step", default_value_t = DEFAULT_RADIAL_DELTA_H_STEP)]
    pub delta_h_step: f64,
    /// Environment of the Hata / COST-231 models.
    #[arg(long, value_enum, default_value = "open")]
    pub environment: EnvArg,
    /// EIRP (dBm): write RSRP = EIRP − loss instead of the loss.
    #[arg(long, allow_negative_numbers = true)]
    pub eirp: Option<f64>,
    /// Raster to write (Float32 COG, nodata −9999).
    #[arg(long, default_value = "site.tif")]
    pub out: PathBuf,
}

fn climate(c: ClimateArg) -> Climate {
    match c {
        ClimateArg::Equatorial => Climate::Equatorial,
        ClimateArg::ContinentalSubtropical => Climate::ContinentalSubtropical,
        ClimateArg::MaritimeSubtropical => Climate::MaritimeSubtropical,
        ClimateArg::Desert => Climate::Desert,
        ClimateArg::ContinentalTemperate => Climate::ContinentalTemperate,
        ClimateArg::MaritimeTemperateLand => Climate::MaritimeTemperateOverLand,
        ClimateArg::MaritimeTemperateSea => Climate::MaritimeTemperateOverSea,
    }
}

pub fn run(a: SiteArgs) -> anyhow::Result<()> {
    // Only the disc is warped (a geographic DEM): the same cells, a fraction of the work.
    let m = read_metric_dem_around(&a.dem, a.lon, a.lat, a.radius * 1000.0)?;
    let to_dem = covermap::crs::Transformer::new("EPSG:4326", &m.crs)?;
    let (x, y) = to_dem.convert(a.lon, a.lat).with_context(|| format!("site ({}, {})", a.lon, a.lat))?;
    if m.dem.cell_of(x, y).is_none() {
        anyhow::bail!("{}: the site ({}, {}) is outside the DEM", a.dem.display(), a.lon, a.lat);
    }
    let env = match a.environment {
        EnvArg::Open => Environment::Open,
        EnvArg::Suburban => Environment::Suburban,
        EnvArg::Urban => Environment::Urban,
        EnvArg::Metropolitan => Environment::Metropolitan,
    };
    let propagation = match a.model {
        Model::Itm => Propagation::Itm(ItmParams {
            h_tx_m: a.height,
            h_rx_m: a.rx_height,
            climate: climate(a.climate),
            n_0: a.n0,
            f_mhz: a.freq,
            polarization: match a.polarization {
                PolArg::Vertical => Polarization::Vertical,
                PolArg::Horizontal => Polarization::Horizontal,
            },
            epsilon: a.epsilon,
            sigma: a.sigma,
            mdvar: Mdvar::from_code(a.mdvar).map_err(|e| anyhow::anyhow!("--mdvar: {e}"))?,
            time_pct: a.time,
            location_pct: a.location,
            situation_pct: a.situation,
            radial_delta_h_step: if a.exact { 0.0 } else { a.delta_h_step },
        }),
        Model::Hata => Propagation::Hata(Hata::okumura(env)),
        Model::Cost231 => Propagation::Hata(Hata::cost231(env)),
        Model::Fspl => Propagation::FreeSpace(FreeSpace),
    };
    let spec = SiteSpec {
        x,
        y,
        height_m: a.height,
        f_mhz: a.freq,
        radius_m: a.radius * 1000.0,
        rx_height_m: a.rx_height,
        propagation,
        eirp_dbm: a.eirp,
    };
    let t = Instant::now();
    let source = a.dem.display().to_string();
    let (grid, stats) = site_raster(&m.dem, &spec, &source)?;
    let secs = t.elapsed().as_secs_f64();
    covermap::grid::io::write_cog(&grid, &a.out, &m.crs)?;
    let mut vals: Vec<f32> = grid.data.iter().copied().filter(|v| !grid.is_nodata(*v)).collect();
    let (what, unit) = if a.eirp.is_some() { ("RSRP", "dBm") } else { ("loss", "dB") };
    let range = if vals.is_empty() {
        format!("no {what} computed")
    } else {
        // The middle value by selection (the sorted order's, without sorting 3 M values).
        let mid_i = vals.len() / 2;
        let (_, &mut mid, _) = vals.select_nth_unstable_by(mid_i, f32::total_cmp);
        let lo = vals.iter().copied().min_by(f32::total_cmp).unwrap_or(mid);
        let hi = vals.iter().copied().max_by(f32::total_cmp).unwrap_or(mid);
        format!("{what} min {lo:.1} / median {mid:.1} / max {hi:.1} {unit}")
    };
    let cores = rayon::current_num_threads() as f64;
    println!(
        "radio site: {} at ({}, {}), {} m over ground {:.0} m, {} MHz, {} km: {} cells in {secs:.2} s ({:.2} M cells/s, {:.2} per core), {} model evaluations; {range}; wrote {}",
        match a.model {
            Model::Itm if a.exact || a.delta_h_step == 0.0 => "ITM (exact)",
            Model::Itm => "ITM (Δh interpolated)",
            Model::Hata => "Hata",
            Model::Cost231 => "COST-231",
            Model::Fspl => "free space",
        },
        a.lon,
        a.lat,
        a.height,
        stats.ground_m,
        a.freq,
        a.radius,
        stats.valued,
        stats.cells as f64 / secs / 1e6,
        stats.cells as f64 / secs / 1e6 / cores,
        stats.samples,
        a.out.display()
    );
    Ok(())
}
