//! Base-station antenna pattern of 3GPP TR 36.814 (v9.2.0, Table A.2.1.1-2):
//!
//! A_H(φ) = min(12 (φ/φ_3dB)², A_m),  A_V(θ) = min(12 ((θ − θ_tilt)/θ_3dB)², SLA_V),
//! A(φ, θ) = min(A_H(φ) + A_V(θ), A_m)
//!
//! (attenuations in dB relative to boresight; A_m = 25 dB is the front-to-back ratio, SLA_V = 20 dB
//! the vertical side-lobe level). θ is the depression angle below the horizontal and θ_tilt the
//! downtilt, both positive downwards. Electrical tilt tilts the beam equally in every azimuth;
//! mechanical tilt tilts the antenna's plane, so at φ off boresight it acts as tilt·cos φ (and as an
//! uptilt behind the antenna) — the usual first-order model of a mechanically tilted panel.
//! An omni antenna has no horizontal term; its tilts apply in every direction.

/// The pattern of one sector antenna, with its constants precomputed for the per-cell loop.
#[derive(Debug, Clone, Copy)]
pub struct AntennaPattern {
    /// Boresight azimuth (degrees clockwise from north); `None` for omni.
    pub azimuth_deg: Option<f32>,
    pub elec_tilt_deg: f32,
    pub mech_tilt_deg: f32,
    pub am_db: f32,
    pub sla_v_db: f32,
    sin_b: f32,
    cos_b: f32,
    kh: f32,
    kv: f32,
}

impl AntennaPattern {
    /// `h_bw_deg`/`v_bw_deg`: half-power beamwidths; `am_db`: front-to-back ratio; `sla_v_db`:
    /// vertical side-lobe attenuation. Callers validate that beamwidths are positive and finite.
    pub fn new(
        azimuth_deg: Option<f64>,
        h_bw_deg: f64,
        v_bw_deg: f64,
        elec_tilt_deg: f64,
        mech_tilt_deg: f64,
        am_db: f64,
        sla_v_db: f64,
    ) -> Self {
        let b = azimuth_deg.unwrap_or(0.0).to_radians();
        Self {
            azimuth_deg: azimuth_deg.map(|a| a.rem_euclid(360.0) as f32),
            elec_tilt_deg: elec_tilt_deg as f32,
            mech_tilt_deg: mech_tilt_deg as f32,
            am_db: am_db as f32,
            sla_v_db: sla_v_db as f32,
            sin_b: b.sin() as f32,
            cos_b: b.cos() as f32,
            kh: (12.0 / (h_bw_deg * h_bw_deg)) as f32,
            kv: (12.0 / (v_bw_deg * v_bw_deg)) as f32,
        }
    }

    /// Attenuation (dB, ≥ 0) toward azimuth `az_deg` (degrees clockwise from north, with its sine
    /// and cosine, which the caller already has from the cell offset) and depression `dep_deg`.
    #[inline]
    pub fn attenuation_db(&self, az_deg: f32, sin_az: f32, cos_az: f32, dep_deg: f32) -> f32 {
        match self.azimuth_deg {
            None => {
                let t = dep_deg - (self.elec_tilt_deg + self.mech_tilt_deg);
                (self.kv * t * t).min(self.sla_v_db).min(self.am_db)
            }
            Some(b) => {
                let mut phi = az_deg - b;
                if phi > 180.0 {
                    phi -= 360.0;
                } else if phi < -180.0 {
                    phi += 360.0;
                }
                let ah = (self.kh * phi * phi).min(self.am_db);
                let cos_phi = cos_az * self.cos_b + sin_az * self.sin_b;
                let t = dep_deg - (self.elec_tilt_deg + self.mech_tilt_deg * cos_phi);
                let av = (self.kv * t * t).min(self.sla_v_db);
                (ah + av).min(self.am_db)
            }
        }
    }

    /// A lower bound of [`Self::attenuation_db`] over every azimuth in [`lo_deg`, `hi_deg`] (degrees,
    /// 0 ≤ lo ≤ hi ≤ 360) and every depression: min(A_H(φ_min), A_m), φ_min the smallest angle from
    /// boresight in the interval, since A = min(A_H + A_V, A_m) and A_V ≥ 0. Omni: 0.
    pub fn min_attenuation_between(&self, lo_deg: f32, hi_deg: f32) -> f32 {
        let Some(b) = self.azimuth_deg else { return 0.0 };
        let off = |a: f32| {
            let d = (a - b).abs() % 360.0;
            d.min(360.0 - d)
        };
        let inside = (lo_deg..=hi_deg).contains(&b) || (lo_deg..=hi_deg).contains(&(b + 360.0)) || (lo_deg..=hi_deg).contains(&(b - 360.0));
        let phi = if inside { 0.0 } else { off(lo_deg).min(off(hi_deg)) };
        (self.kh * phi * phi).min(self.am_db)
    }

    /// Convenience form computing sine and cosine itself.
    pub fn attenuation_at(&self, az_deg: f64, dep_deg: f64) -> f64 {
        let r = az_deg.to_radians();
        self.attenuation_db(az_deg.rem_euclid(360.0) as f32, r.sin() as f32, r.cos() as f32, dep_deg as f32) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_bound_is_below_every_attenuation_in_it() {
        // Sampled over each 5° interval and a range of depressions, the bound never exceeds the
        // pattern, and it is reached at boresight's side of the interval.
        let p = AntennaPattern::new(Some(350.0), 65.0, 10.0, 2.0, 3.0, 25.0, 20.0);
        for k in 0..72 {
            let (lo, hi) = (k as f32 * 5.0, k as f32 * 5.0 + 5.0);
            let bound = p.min_attenuation_between(lo, hi);
            let mut least = f32::INFINITY;
            for j in 0..=50 {
                let az = lo + (hi - lo) * j as f32 / 50.0;
                for dep in (-40..=80).map(|k| k as f32 * 0.25 - 10.0) {
                    least = least.min(p.attenuation_at(az as f64, dep as f64) as f32);
                }
            }
            assert!(bound <= least + 1e-4, "[{lo}, {hi}]: {bound} > {least}");
            // A_V reaches 0 at θ = tilt, so the bound is tight up to the sampling of the interval.
            assert!(least - bound < 0.1, "[{lo}, {hi}]: {bound} ≪ {least}");
        }
        assert_eq!(p.min_attenuation_between(345.0, 355.0), 0.0);
        assert_eq!(AntennaPattern::new(None, 360.0, 10.0, 2.0, 0.0, 25.0, 20.0).min_attenuation_between(0.0, 1.0), 0.0);
    }

    /// TR 36.814 Table A.2.1.1-2 case: φ_3dB = 70°, θ_3dB = 10°, A_m = 25 dB, SLA_V = 20 dB.
    fn tr36814(az: Option<f64>, etilt: f64, mtilt: f64) -> AntennaPattern {
        AntennaPattern::new(az, 70.0, 10.0, etilt, mtilt, 25.0, 20.0)
    }

    /// `p`'s attenuation at each (azimuth, elevation below the horizon) within 1e-4 dB of the value given.
    fn assert_attenuations(p: &AntennaPattern, cases: &[(f64, f64, f64)]) {
        for &(az, el, want) in cases {
            let got = p.attenuation_at(az, el);
            assert!((got - want).abs() < 1e-4, "({az}°, {el}°): {got} dB, expected {want} dB");
        }
    }

    #[test]
    fn horizontal_pattern() {
        let p = tr36814(Some(120.0), 0.0, 0.0);
        assert!(p.attenuation_at(120.0, 0.0).abs() < 1e-6);
        // Half-power points at ±φ_3dB/2: 12·(1/2)² = 3 dB; 12 dB at φ = φ_3dB; capped at A_m = 25 dB
        // behind (also across north: 120 → 300).
        assert_attenuations(&p, &[(155.0, 0.0, 3.0), (85.0, 0.0, 3.0), (190.0, 0.0, 12.0), (300.0, 0.0, 25.0)]);
        let q = tr36814(Some(10.0), 0.0, 0.0);
        assert_attenuations(&q, &[(345.0, 0.0, 12.0 * (25.0f64 / 70.0).powi(2))]);
    }

    #[test]
    fn vertical_pattern_and_tilts() {
        // Electrical tilt 6°: boresight at 6° below the horizon, 3 dB at 1° and 11°, SLA_V = 20 dB cap;
        // behind the antenna and far off the vertical beam, the combined cap A = A_m = 25 dB.
        let p = tr36814(Some(0.0), 6.0, 0.0);
        assert!(p.attenuation_at(0.0, 6.0).abs() < 1e-5);
        assert_attenuations(&p, &[(0.0, 1.0, 3.0), (0.0, 11.0, 3.0), (0.0, -40.0, 20.0), (180.0, -40.0, 25.0)]);
        // Mechanical tilt: full at boresight, none at 90°, reversed behind.
        let m = tr36814(Some(0.0), 0.0, 4.0);
        assert!(m.attenuation_at(0.0, 4.0).abs() < 1e-4);
        let side = m.attenuation_at(90.0, 0.0) - (12.0 * (90.0f64 / 70.0).powi(2)).min(25.0);
        assert!(side.abs() < 1e-3, "{side}");
    }

    #[test]
    fn omni() {
        let p = tr36814(None, 2.0, 1.0);
        for az in [0.0, 90.0, 200.0] {
            assert!(p.attenuation_at(az, 3.0).abs() < 1e-5);
            assert!((p.attenuation_at(az, 8.0) - 12.0 * 0.25).abs() < 1e-4);
        }
    }
}
