//! Indicators per commune, district and the province, computed from the hamlets' status: hamlets and
//! people with 4G (overall and per operator), communes with fiber, hamlets and people within fiber
//! reach, and the mean and 10th percentile of RSRP at hamlets.
//!
//! Definitions: an area's population is the sum of its hamlets' populations (so shares are of the
//! same people); shares are percentages. RSRP statistics are over the area's hamlets with RSRP
//! clamped to the 3GPP reporting floor (`min_rsrp_dbm`, −140 dBm): a hamlet without signal counts as
//! −140 dBm rather than being left out. The 10th percentile interpolates linearly between order
//! statistics (the "linear" definition, rank = 0.1·(n − 1)). A commune has fiber when an access point
//! stands in it or its centre is within the fiber drop distance of one over the road network.

use super::hamlets::HamletStatus;
use super::params::CoverageParams;
use crate::dataset::Dataset;

/// Hamlets and their people: an area's, or those of its hamlets reaching a level of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    pub hamlets: u32,
    pub population: u64,
}

impl Reach {
    /// The hamlets `members` (indices into `Dataset::hamlets`) and their people.
    pub fn of(ds: &Dataset, members: &[usize]) -> Reach {
        Reach { hamlets: members.len() as u32, population: members.iter().map(|h| ds.hamlets[*h].population as u64).sum() }
    }

    /// Count one more hamlet of `population` people.
    pub fn add(&mut self, population: u64) {
        self.hamlets += 1;
        self.population += population;
    }

    /// Shares (%) of `area`'s hamlets and of its people; `None` for an empty area.
    pub fn shares(&self, area: &Reach) -> (Option<f64>, Option<f64>) {
        (share(self.hamlets as f64, area.hamlets as f64), share(self.population as f64, area.population as f64))
    }
}

/// One operator's hamlets and people in an area: covered by it, and covered at 90 % location
/// probability with its own σ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperatorReach {
    pub covered: Reach,
    pub covered_p90: Reach,
}

/// Counts for one area; shares are derived ([`Reach::shares`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Indicators {
    /// "province", "district" or "commune".
    pub level: String,
    pub code: String,
    pub name: String,
    /// District code of a commune; empty otherwise.
    pub parent_code: String,
    /// The area's hamlets and people.
    pub all: Reach,
    /// Those with 4G (best server over all operators).
    pub covered: Reach,
    /// Those covered at 90 % location probability (best server over all operators).
    pub covered_p90: Reach,
    /// Those within fiber reach.
    pub fiber_ready: Reach,
    pub hamlets_good: u32,
    pub hamlets_multi_operator: u32,
    pub communes: u32,
    pub communes_fiber: u32,
    /// RSRP at the area's hamlets; `None` for an area without hamlets.
    pub rsrp: Option<RsrpStats>,
    /// Per operator (order of `Dataset::operators()`).
    pub per_operator: Vec<OperatorReach>,
}

pub fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| 100.0 * part / whole)
}

impl Indicators {
    pub fn share_communes_fiber(&self) -> Option<f64> {
        share(self.communes_fiber as f64, self.communes as f64)
    }

    /// The operations-centre line: "x % of hamlets, y % of people covered by 4G; z % of communes with fiber".
    pub fn summary(&self) -> String {
        let p = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.1} %"));
        format!(
            "{}: {} of hamlets, {} of people covered by 4G; {} of communes with fiber",
            self.name,
            p(self.covered.shares(&self.all).0),
            p(self.covered.shares(&self.all).1),
            p(self.share_communes_fiber())
        )
    }
}

/// RSRP statistics over an area's hamlets, each hamlet's RSRP clamped to the reporting floor
/// (`min_rsrp_dbm`; a hamlet without signal counts as the floor).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RsrpStats {
    pub mean_dbm: f64,
    /// 10th percentile ([`p10`]).
    pub p10_dbm: f64,
}

impl RsrpStats {
    /// Of the hamlets' clamped values `rsrp` (sorted here); `None` when there are none.
    pub fn of(mut rsrp: Vec<f64>) -> Option<RsrpStats> {
        if rsrp.is_empty() {
            return None;
        }
        let mean_dbm = rsrp.iter().sum::<f64>() / rsrp.len() as f64;
        rsrp.sort_by(|a, b| a.total_cmp(b));
        Some(RsrpStats { mean_dbm, p10_dbm: p10(&rsrp)? })
    }
}

/// 10th percentile by linear interpolation (rank 0.1·(n − 1)) of a sorted slice.
pub fn p10(sorted: &[f64]) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let r = 0.1 * (sorted.len() - 1) as f64;
    let (i, f) = (r.floor() as usize, r.fract());
    let hi = sorted[(i + 1).min(sorted.len() - 1)];
    Some(sorted[i] + (hi - sorted[i]) * f)
}

/// Aggregate the hamlets `members` (indices into `statuses`) and the communes `communes` (indices into
/// `Dataset::communes`) into one area's indicators.
pub fn aggregate(
    ds: &Dataset,
    statuses: &[HamletStatus],
    members: &[usize],
    communes: &[usize],
    commune_fiber: &[bool],
    n_ops: usize,
    params: &CoverageParams,
) -> Indicators {
    let mut ind = Indicators { per_operator: vec![OperatorReach::default(); n_ops], ..Default::default() };
    let covered_at = params.covered_dbm as f32;
    // Median level an operator needs at a hamlet for 90 % location probability, with its own σ.
    let ops = ds.operators();
    let p90_at: Vec<f32> = (0..n_ops)
        .map(|o| (params.covered_dbm + super::location::Z90 * params.sigma_db(ops.get(o).map(|s| s.as_str()))) as f32)
        .collect();
    let floor = params.min_rsrp_dbm;
    let mut rsrp: Vec<f64> = Vec::with_capacity(members.len());
    for &i in members {
        let s = &statuses[i];
        let pop = ds.hamlets[s.hamlet].population as u64;
        ind.all.add(pop);
        if s.covered {
            ind.covered.add(pop);
        }
        if s.covered_p90 {
            ind.covered_p90.add(pop);
        }
        ind.hamlets_good += s.good as u32;
        ind.hamlets_multi_operator += (s.operators >= 2) as u32;
        if s.fiber_ready {
            ind.fiber_ready.add(pop);
        }
        for (o, v) in s.per_operator.iter().enumerate() {
            if *v >= covered_at {
                ind.per_operator[o].covered.add(pop);
            }
            if *v >= p90_at[o] {
                ind.per_operator[o].covered_p90.add(pop);
            }
        }
        rsrp.push(if s.rsrp_dbm.is_nan() { floor } else { (s.rsrp_dbm as f64).max(floor) });
    }
    ind.communes = communes.len() as u32;
    ind.communes_fiber = communes.iter().filter(|c| commune_fiber[**c]).count() as u32;
    ind.rsrp = RsrpStats::of(rsrp);
    ind
}

/// Indicators at every level.
#[derive(Debug, Clone, PartialEq)]
pub struct AllIndicators {
    pub province: Indicators,
    /// In `Dataset::districts` order.
    pub districts: Vec<Indicators>,
    /// In `Dataset::communes` order.
    pub communes: Vec<Indicators>,
}

/// The commune index of each hamlet (by commune code), `None` when its code names no commune.
pub fn hamlet_communes(ds: &Dataset) -> Vec<Option<usize>> {
    let by_code: std::collections::HashMap<&str, usize> =
        ds.communes.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    ds.hamlets.iter().map(|h| by_code.get(h.commune_code.as_str()).copied()).collect()
}

/// Compute every level. `statuses` are in `Dataset::hamlets` order.
pub fn compute(ds: &Dataset, statuses: &[HamletStatus], commune_fiber: &[bool], params: &CoverageParams) -> AllIndicators {
    let n_ops = statuses.first().map_or(0, |s| s.per_operator.len());
    let hc = hamlet_communes(ds);
    let mut by_commune: Vec<Vec<usize>> = vec![Vec::new(); ds.communes.len()];
    for (i, c) in hc.iter().enumerate() {
        if let Some(c) = c {
            by_commune[*c].push(i);
        }
    }
    let communes: Vec<Indicators> = ds
        .communes
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let mut ind = aggregate(ds, statuses, &by_commune[ci], &[ci], commune_fiber, n_ops, params);
            ind.level = "commune".into();
            ind.code = c.code.clone();
            ind.name = c.name.clone();
            ind.parent_code = c.district_code.clone();
            ind
        })
        .collect();
    let districts: Vec<Indicators> = ds
        .districts
        .iter()
        .map(|d| {
            let cs: Vec<usize> = (0..ds.communes.len()).filter(|ci| ds.communes[*ci].district_code == d.code).collect();
            let hs: Vec<usize> = cs.iter().flat_map(|ci| by_commune[*ci].iter().copied()).collect();
            let mut ind = aggregate(ds, statuses, &hs, &cs, commune_fiber, n_ops, params);
            ind.level = "district".into();
            ind.code = d.code.clone();
            ind.name = d.name.clone();
            ind
        })
        .collect();
    let all: Vec<usize> = (0..statuses.len()).collect();
    let cs: Vec<usize> = (0..ds.communes.len()).collect();
    let mut province = aggregate(ds, statuses, &all, &cs, commune_fiber, n_ops, params);
    province.level = "province".into();
    province.code = ds.name.clone();
    province.name = province_name(ds);
    AllIndicators { province, districts, communes }
}

/// A display name for the province ("Sơn La" for the dataset "sonla").
pub fn province_name(ds: &Dataset) -> String {
    match ds.name.as_str() {
        "sonla" => "Sơn La".into(),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_by_hand() {
        // numpy.percentile([1..=10], 10) = 1.9 (linear interpolation).
        let v: Vec<f64> = (1..=10).map(|x| x as f64).collect();
        assert!((p10(&v).unwrap() - 1.9).abs() < 1e-12);
        assert_eq!(p10(&[5.0]), Some(5.0));
        assert_eq!(p10(&[]), None);
    }

    #[test]
    fn summary_line() {
        let ind = Indicators {
            name: "Sơn La".into(),
            all: Reach { hamlets: 200, population: 1000 },
            covered: Reach { hamlets: 150, population: 900 },
            communes: 4,
            communes_fiber: 3,
            ..Default::default()
        };
        assert_eq!(ind.summary(), "Sơn La: 75.0 % of hamlets, 90.0 % of people covered by 4G; 75.0 % of communes with fiber");
    }
}
