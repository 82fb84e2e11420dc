//! Confidence intervals for the profile's shares when a wave is a sample.

/// The normal quantile of a two-sided 95% interval (`Φ⁻¹(0.975)`).
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval (95%) of a share of `successes` out of `n`: `(low, high)`, both
/// within 0 and 1; `None` when `n` is 0. Wilson's interval, unlike the normal approximation,
/// stays inside [0, 1] and keeps its coverage for shares near 0 or 1 and for small samples,
/// which a village-level sample gives (Newcombe 1998, Statistics in Medicine 17, 857–872).
pub fn wilson_interval(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p = successes.min(n) as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from statsmodels 0.15.0,
    /// `statsmodels.stats.proportion.proportion_confint(k, n, alpha=0.05, method='wilson')`,
    /// computed once and written here; the first four are also Newcombe's (1998) Table I, method 3.
    #[test]
    fn wilson_against_statsmodels() {
        #[rustfmt::skip]
        let cases: &[(u64, u64, f64, f64)] = &[
            (81, 263, 0.2552885198782742, 0.36620957698280004),
            (15, 148, 0.06238639953073628, 0.16048724172330803),
            (0, 20, 0.0, 0.1611251580528194),
            (1, 29, 0.006113214292762667, 0.17175521879320294),
            (20, 20, 0.8388748419471804, 0.9999999999999999),
            (8, 10, 0.49016247153664183, 0.9433178485456247),
            (1, 2, 0.09453120573423068, 0.9054687942657693),
            (412, 500, 0.78818582871064, 0.854873598670274),
            (50, 100, 0.4038315303659956, 0.5961684696340044),
        ];
        for (k, n, lo, hi) in cases {
            let (l, h) = wilson_interval(*k, *n).unwrap();
            assert!((l - lo).abs() < 1e-12, "{k}/{n}: low {l} vs {lo}");
            assert!((h - hi).abs() < 1e-12, "{k}/{n}: high {h} vs {hi}");
        }
        assert_eq!(wilson_interval(0, 0), None);
    }
}
