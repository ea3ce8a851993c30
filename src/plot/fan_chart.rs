//! Monte Carlo fan chart: the median intensity of each actor over time with
//! quantile bands, over the rung bands of the ladder.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::check;
use super::frame::{self, Labels, err, legend_box, legend_line};
use super::rungs;
use super::style::color;
use crate::error::{Error, Result};
use crate::model::Ladder;

/// A band between two quantiles of an ensemble, over time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuantileBand {
    /// Lower quantile level in `[0, 1)`, e.g. 0.05.
    pub lower_q: f64,
    /// Upper quantile level in `(lower_q, 1]`, e.g. 0.95.
    pub upper_q: f64,
    /// The lower quantile at each time, intensity.
    pub lower: Vec<f64>,
    /// The upper quantile at each time, intensity (≥ `lower`).
    pub upper: Vec<f64>,
}

/// One actor's median and bands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FanSeries {
    /// Actor name, used in the legend.
    pub name: String,
    /// Median intensity at each time.
    pub median: Vec<f64>,
    /// Quantile bands, any order (wider bands are drawn paler).
    pub bands: Vec<QuantileBand>,
}

/// A fan chart: per actor, the median and quantile bands of an ensemble over time.
///
/// Saving it checks it first ([`Figure::check`](super::Figure::check)):
/// [`Error::Invalid`] when there are fewer than two times or they do not
/// increase, there is no series, a length disagrees with `t`, a band's
/// levels are not `0 ≤ lower_q < upper_q ≤ 1` or its lower edge lies above
/// its upper edge, or a value is not finite.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FanChart {
    /// Title; empty for "Monte Carlo fan chart".
    pub title: String,
    /// Sample times, days, strictly increasing, at least 2.
    pub t: Vec<f64>,
    /// One entry per actor (at least one).
    pub series: Vec<FanSeries>,
    /// The ladder, drawn as named rung bands behind the fan.
    pub ladder: Option<Ladder>,
    /// Intensity at which a run counts as exploded, drawn as a dashed line.
    pub threshold: Option<f64>,
}

/// "5–95 %" from quantile levels.
fn band_name(b: &QuantileBand) -> String {
    format!("{}–{} %", percent(b.lower_q), percent(b.upper_q))
}

fn percent(q: f64) -> String {
    let p = q * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round())
    } else {
        format!("{p:.1}")
    }
}

impl super::Figure for FanChart {
    fn check(&self) -> Result<()> {
        check::increasing("fan_chart.t", &self.t, 2)?;
        check::non_empty("fan_chart.series", &self.series)?;
        let n = self.t.len();
        for (i, s) in self.series.iter().enumerate() {
            let key = format!("fan_chart.series[{i}]");
            check::same_len(&format!("{key}.median"), s.median.len(), n, "t")?;
            check::all_finite(&format!("{key}.median"), &s.median)?;
            for (b, band) in s.bands.iter().enumerate() {
                let key = format!("{key}.bands[{b}]");
                let (lq, uq) = (band.lower_q, band.upper_q);
                if !(0.0..=1.0).contains(&lq) || !(0.0..=1.0).contains(&uq) || lq >= uq {
                    return Err(Error::invalid(
                        format!("{key}.lower_q/upper_q"),
                        format!(
                            "need 0 ≤ lower_q < upper_q ≤ 1, got {} and {}",
                            crate::error::num(lq),
                            crate::error::num(uq)
                        ),
                    ));
                }
                check::same_len(&format!("{key}.lower"), band.lower.len(), n, "t")?;
                check::same_len(&format!("{key}.upper"), band.upper.len(), n, "t")?;
                check::all_finite(&format!("{key}.lower"), &band.lower)?;
                check::all_finite(&format!("{key}.upper"), &band.upper)?;
                let tol = |v: f64| 1e-9 * v.abs().max(1.0);
                if let Some(k) =
                    (0..n).find(|&k| band.lower[k] > band.upper[k] + tol(band.upper[k]))
                {
                    return Err(Error::invalid(
                        format!("{key}.lower[{k}]"),
                        format!(
                            "lies above the upper edge: {} > {}",
                            band.lower[k], band.upper[k]
                        ),
                    ));
                }
            }
        }
        if let Some(th) = self.threshold {
            check::finite("fan_chart.threshold", th)?;
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let title = if self.title.is_empty() {
            "Monte Carlo fan chart"
        } else {
            &self.title
        };
        let area = frame::titled(root, title)?;
        let all = self.series.iter().flat_map(|s| {
            s.median
                .iter()
                .chain(s.bands.iter().flat_map(|b| b.lower.iter().chain(&b.upper)))
                .copied()
        });
        let (lo, hi) = super::geometry::extent(all).unwrap_or((0.0, 1.0));
        let hi = hi.max(self.threshold.unwrap_or(hi));
        let y0 = lo.min(0.0);
        let y1 = match &self.ladder {
            Some(l) => rungs::y_max(l, hi),
            None => super::geometry::padded(y0, hi, 0.05).1,
        };
        // One panel per actor (stacked; two columns beyond three actors),
        // all on the same intensity scale.
        let n = self.series.len();
        let (rows, cols) = if n <= 3 { (n, 1) } else { (n.div_ceil(2), 2) };
        let panels = area.split_evenly((rows, cols));
        for (i, (s, panel)) in self.series.iter().zip(&panels).enumerate() {
            self.panel(root, panel, i, s, (y0, y1), cols > 1)?;
        }
        Ok(())
    }
}

impl FanChart {
    fn panel<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        area: &DrawingArea<DB, Shift>,
        i: usize,
        s: &FanSeries,
        (y0, y1): (f64, f64),
        compact: bool,
    ) -> std::result::Result<(), String> {
        let (t0, t1) = (self.t[0], self.t[self.t.len() - 1]);
        let right = match (&self.ladder, compact) {
            (None, _) => 0,
            (Some(_), false) => rungs::NAMES_WIDTH,
            (Some(_), true) => rungs::NUMBERS_WIDTH,
        };
        let mut chart = frame::chart(area, t0..t1, y0..y1, right)?;
        if let Some(l) = &self.ladder {
            rungs::draw_bands(&mut chart, l, (t0, t1), y1)?;
        }
        frame::mesh(
            &mut chart,
            "time (days)",
            "intensity (rungs)",
            self.ladder.is_none(),
        )?;
        if let Some(l) = &self.ladder {
            rungs::draw_names(root, &chart, l, t1, y1, compact)?;
        }
        let mut labels = Labels::default();
        let c = color(i);
        let mut bands: Vec<&QuantileBand> = s.bands.iter().collect();
        bands.sort_by(|a, b| (b.upper_q - b.lower_q).total_cmp(&(a.upper_q - a.lower_q)));
        for (rank, b) in bands.iter().enumerate() {
            let alpha = 0.22 + 0.22 * rank as f64;
            let outline: Vec<(f64, f64)> = self
                .t
                .iter()
                .copied()
                .zip(b.lower.iter().copied())
                .chain(self.t.iter().copied().zip(b.upper.iter().copied()).rev())
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    c.mix(alpha).filled(),
                )))
                .map_err(err)?
                .label(labels.add(format!("{} {}", s.name, band_name(b))))
                .legend(legend_box(c.mix(alpha)));
        }
        chart
            .draw_series(LineSeries::new(
                self.t.iter().copied().zip(s.median.iter().copied()),
                c.stroke_width(3),
            ))
            .map_err(err)?
            .label(labels.add(format!("{} median", s.name)))
            .legend(legend_line(c, 3));
        if let Some(th) = self.threshold.filter(|&th| th >= y0 && th <= y1) {
            chart
                .draw_series(DashedLineSeries::new(
                    [(t0, th), (t1, th)],
                    10,
                    6,
                    BLACK.stroke_width(2),
                ))
                .map_err(err)?
                .label(labels.add(format!("explosion threshold ({th:.2})")))
                .legend(frame::legend_dashed!(BLACK, 2));
        }
        // Keep the legend off the median and the bands (edges and inside).
        let mut avoid: Vec<(f64, f64)> = self
            .t
            .iter()
            .copied()
            .zip(s.median.iter().copied())
            .collect();
        for b in &s.bands {
            for (k, &t) in self.t.iter().enumerate() {
                for f in 0..=4 {
                    let f = f64::from(f) / 4.0;
                    avoid.push((t, b.lower[k] + f * (b.upper[k] - b.lower[k])));
                }
            }
        }
        frame::legend(&mut chart, &labels, &avoid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_named_by_their_levels() {
        let b = QuantileBand {
            lower_q: 0.05,
            upper_q: 0.95,
            ..QuantileBand::default()
        };
        assert_eq!(band_name(&b), "5–95 %");
        assert_eq!(percent(0.025), "2.5");
    }
}
