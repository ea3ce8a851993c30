//! Distribution functions the experiments need: the normal and Student t
//! quantiles and the lower tail of a fair binomial.

use crate::error::{Error, Result};

/// The standard normal quantile Φ⁻¹(p), by Wichura's algorithm AS 241
/// (PPND16), accurate to about 1 part in 10¹⁶.
///
/// # Errors
/// [`Error::Invalid`] unless `0 < p < 1`.
///
/// # Example
/// ```
/// use escalation::experiments::normal_quantile;
/// let z = normal_quantile(0.975).unwrap();
/// assert!((z - 1.959963984540054).abs() < 1e-15);
/// ```
///
/// ## References
/// Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the
/// normal distribution. *Applied Statistics* 37(3), 477–484.
#[allow(clippy::excessive_precision)] // AS 241's coefficients, as published
pub fn normal_quantile(p: f64) -> Result<f64> {
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::invalid(
            "p",
            format!("a probability strictly between 0 and 1 is needed, got {p}"),
        ));
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = (((((((2.509_080_928_730_122_672_7e3 * r + 3.343_057_558_358_812_810_5e4)
            * r
            + 6.726_577_092_700_870_085_3e4)
            * r
            + 4.592_195_393_154_987_145_7e4)
            * r
            + 1.373_169_376_550_946_112_5e4)
            * r
            + 1.971_590_950_306_551_442_7e3)
            * r
            + 1.331_416_678_917_843_774_5e2)
            * r
            + 3.387_132_872_796_366_608_0)
            * q;
        let den = ((((((5.226_495_278_852_854_561_0e3 * r + 2.872_908_573_572_194_267_4e4) * r
            + 3.930_789_580_009_271_061_0e4)
            * r
            + 2.121_379_430_158_659_586_7e4)
            * r
            + 5.394_196_021_424_751_107_7e3)
            * r
            + 6.871_870_074_920_579_083_0e2)
            * r
            + 4.231_333_070_160_091_125_2e1)
            * r
            + 1.0;
        return Ok(num / den);
    }
    let r = if q <= 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        let num = ((((((7.745_450_142_783_414_076_40e-4 * r + 2.272_384_498_926_918_458_33e-2)
            * r
            + 2.417_807_251_774_506_117_70e-1)
            * r
            + 1.270_458_252_452_368_382_58)
            * r
            + 3.647_848_324_763_204_605_04)
            * r
            + 5.769_497_221_460_691_405_50)
            * r
            + 4.630_337_846_156_545_295_90)
            * r
            + 1.423_437_110_749_683_577_34;
        let den = ((((((1.050_750_071_644_416_843_24e-9 * r + 5.475_938_084_995_344_946_00e-4)
            * r
            + 1.519_866_656_361_645_719_66e-2)
            * r
            + 1.481_039_764_274_800_745_90e-1)
            * r
            + 6.897_673_349_851_000_045_50e-1)
            * r
            + 1.676_384_830_183_803_849_40)
            * r
            + 2.053_191_626_637_758_821_87)
            * r
            + 1.0;
        num / den
    } else {
        let r = r - 5.0;
        let num = ((((((2.010_334_399_292_288_132_65e-7 * r + 2.711_555_568_743_487_578_15e-5)
            * r
            + 1.242_660_947_388_078_438_60e-3)
            * r
            + 2.653_218_952_657_612_309_30e-2)
            * r
            + 2.965_605_718_285_048_912_30e-1)
            * r
            + 1.784_826_539_917_291_335_80)
            * r
            + 5.463_784_911_164_114_369_90)
            * r
            + 6.657_904_643_501_103_777_20;
        let den =
            ((((((2.044_263_103_389_939_785_64e-15 * r + 1.421_511_758_316_445_888_70e-7) * r
                + 1.846_318_317_510_054_681_80e-5)
                * r
                + 7.868_691_311_456_132_591_00e-4)
                * r
                + 1.487_536_129_085_061_485_25e-2)
                * r
                + 1.369_298_809_227_358_053_10e-1)
                * r
                + 5.998_322_065_558_879_376_90e-1)
                * r
                + 1.0;
        num / den
    };
    Ok(if q < 0.0 { -x } else { x })
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms; relative error ≈ 1e-15).
#[allow(clippy::excessive_precision)] // the published Lanczos coefficients
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b) by its continued
/// fraction (modified Lentz), for a, b > 0 and 0 ≤ x ≤ 1.
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    // The fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(1.0 - x, b, a);
    }
    let tiny = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        for num in [
            num,
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ] {
            d = 1.0 + num * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + num / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    ln_front.exp() * h / a
}

/// P(T > t) for t ≥ 0 and Student's t with `df` degrees of freedom.
fn student_t_upper(t: f64, df: f64) -> f64 {
    0.5 * incomplete_beta(df / (df + t * t), 0.5 * df, 0.5)
}

/// The quantile of Student's t distribution with `df > 0` degrees of freedom.
///
/// The upper tail `½ I_{df/(df+t²)}(df/2, ½)` (regularised incomplete beta
/// by its continued fraction) is inverted by bisection to the last bit of
/// `t`; the result is accurate to about 1e-12 relative (the accuracy of the
/// incomplete beta), and matches published tables to all their digits.
///
/// # Errors
/// [`Error::Invalid`] unless `0 < p < 1` and `df > 0` is finite.
///
/// # Example
/// ```
/// use escalation::experiments::student_t_quantile;
/// let t = student_t_quantile(0.975, 10.0).unwrap();
/// assert!((t - 2.228138851986273).abs() < 1e-11);
/// ```
///
/// ## References
/// Abramowitz, M. and Stegun, I. A. (1964). *Handbook of Mathematical
/// Functions*, 26.5.27 (the t distribution via the incomplete beta) and
/// 26.5.8 (its continued fraction).
pub fn student_t_quantile(p: f64, df: f64) -> Result<f64> {
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::invalid(
            "p",
            format!("a probability strictly between 0 and 1 is needed, got {p}"),
        ));
    }
    if !(df.is_finite() && df > 0.0) {
        return Err(Error::invalid(
            "df",
            format!("degrees of freedom must be positive and finite, got {df}"),
        ));
    }
    if p == 0.5 {
        return Ok(0.0);
    }
    let tail = if p > 0.5 { 1.0 - p } else { p };
    let mut hi = 1.0;
    while student_t_upper(hi, df) > tail {
        hi *= 2.0;
        if hi > 1e300 {
            break;
        }
    }
    let mut lo = 0.0;
    for _ in 0..2_000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if student_t_upper(mid, df) > tail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let t = 0.5 * (lo + hi);
    Ok(if p > 0.5 { t } else { -t })
}

/// P(X ≤ k) for X ~ Binomial(m, ½).
pub(crate) fn binomial_half_cdf(k: u64, m: u64) -> f64 {
    if k >= m {
        return 1.0;
    }
    if m <= 1_000 {
        // Exact-ish: term₀ = 2⁻ᵐ is a normal double, each step multiplies by
        // (m − i + 1)/i; k + 1 terms of relative error ~ε each.
        let mut term = 0.5f64.powi(m as i32);
        let mut sum = term;
        for i in 1..=k {
            term *= (m - i + 1) as f64 / i as f64;
            sum += term;
        }
        return sum.min(1.0);
    }
    // Large m: sum downwards from the largest term (i = k when k ≤ m/2) in
    // log space; terms fall off geometrically once past the mode.
    let (m_f, k_f) = (m as f64, k as f64);
    let ln_top = ln_gamma(m_f + 1.0)
        - ln_gamma(k_f + 1.0)
        - ln_gamma(m_f - k_f + 1.0)
        - m_f * std::f64::consts::LN_2;
    let mut rel = 1.0;
    let mut sum = 1.0;
    let mut i = k;
    while i > 0 {
        rel *= i as f64 / (m - i + 1) as f64;
        sum += rel;
        if rel < 1e-18 * sum {
            break;
        }
        i -= 1;
    }
    (ln_top.exp() * sum).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles() {
        assert!((normal_quantile(0.5).unwrap()).abs() < 1e-16);
        assert!((normal_quantile(0.025).unwrap() + 1.959_963_984_540_054).abs() < 1e-15);
        assert!((normal_quantile(1e-10).unwrap() + 6.361_340_902_404_056).abs() < 1e-12);
        assert!(normal_quantile(0.0).is_err() && normal_quantile(f64::NAN).is_err());
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Values from scipy.stats.t.ppf (and every printed t table to 3 decimals).
        for (p, df, t) in [
            (0.975, 1.0, 12.706_204_736_174_7),
            (0.975, 2.0, 4.302_652_729_749_464),
            (0.975, 5.0, 2.570_581_835_636_314),
            (0.975, 30.0, 2.042_272_456_301_238),
            (0.995, 3.0, 5.840_909_309_733_35),
            (0.025, 10.0, -2.228_138_851_986_273),
            (0.975, 1e6, 1.959_966_356_814_107),
        ] {
            let got = student_t_quantile(p, df).unwrap();
            assert!(
                (got - t).abs() < 1e-9 * t.abs(),
                "p {p} df {df}: {got} vs {t}"
            );
        }
        assert!(student_t_quantile(0.975, 0.0).is_err());
    }

    #[test]
    fn binomial_tails() {
        assert_eq!(binomial_half_cdf(1, 8), 9.0 / 256.0);
        assert_eq!(binomial_half_cdf(0, 0), 1.0);
        // Symmetric: P(X ≤ m/2 − 1) + P(X ≥ m/2 + 1) + P(X = m/2) = 1.
        let m = 4_000u64;
        let below = binomial_half_cdf(m / 2 - 1, m);
        let at = (ln_gamma(m as f64 + 1.0)
            - 2.0 * ln_gamma(m as f64 / 2.0 + 1.0)
            - m as f64 * std::f64::consts::LN_2)
            .exp();
        assert!((2.0 * below + at - 1.0).abs() < 1e-10);
    }
}
