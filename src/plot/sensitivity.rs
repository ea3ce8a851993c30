//! Sensitivity indices per parameter, as horizontal bars with interval
//! whiskers (Sobol' S₁ and S_T side by side, or Morris μ*).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{self, err};
use super::style::{FONT, color};
use crate::error::{Error, Result};

/// One series of indices (e.g. "first order S₁"), one value and interval
/// per parameter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexSeries {
    /// Legend label.
    pub label: String,
    /// The index of each parameter.
    pub values: Vec<f64>,
    /// Its interval `[lo, hi]` (e.g. bootstrap 95%).
    pub intervals: Vec<[f64; 2]>,
}

/// Sensitivity indices of one output with their intervals.
///
/// Build it by hand or from the JSON report of `escalation sensitivity`
/// ([`SensitivityPlot::from_report`]).
///
/// ```
/// use escalation::plot::{Figure, IndexSeries, SensitivityPlot};
/// let fig = SensitivityPlot {
///     title: "p_collapsed".into(),
///     value_label: "Sobol' index".into(),
///     params: vec!["gain".into(), "incidents.rate".into()],
///     series: vec![IndexSeries { label: "total".into(), values: vec![0.7, 0.2], intervals: vec![[0.6, 0.8], [0.1, 0.3]] }],
/// };
/// let path = std::env::temp_dir().join("escalation-doc-sensitivity.svg");
/// fig.save(&path).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SensitivityPlot {
    /// Title, e.g. the output's name.
    pub title: String,
    /// Axis label of the indices.
    pub value_label: String,
    /// Parameter names, drawn top to bottom.
    pub params: Vec<String>,
    /// Series drawn side by side for each parameter.
    pub series: Vec<IndexSeries>,
}

impl SensitivityPlot {
    /// The figure of output `output` (the first one when `None`) of a
    /// `sensitivity --json` report: S₁ and S_T for Sobol', μ* for Morris.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the report lacks the keys, or the output.
    pub fn from_report(report: &serde_json::Value, output: Option<&str>) -> Result<Self> {
        let bad = |why: String| Error::invalid("report", why);
        let indices = report["indices"]
            .as_object()
            .ok_or_else(|| bad("not a sensitivity report (no `indices`)".into()))?;
        let (name, per) = match output {
            Some(o) => (
                o.to_string(),
                indices.get(o).ok_or_else(|| {
                    bad(format!(
                        "no output {o:?} (outputs: {})",
                        indices.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })?,
            ),
            None => indices
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v))
                .ok_or_else(|| bad("the report has no output with indices".into()))?,
        };
        let per = per
            .as_object()
            .ok_or_else(|| bad(format!("indices of {name} are not an object")))?;
        let params: Vec<String> = match report["params"].as_array() {
            Some(p) => p
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            None => per.keys().cloned().collect(),
        };
        let sobol = report["method"] == "sobol";
        let keys: &[(&str, &str, &str)] = if sobol {
            &[
                ("first", "first_interval", "first order S₁"),
                ("total", "total_interval", "total S_T"),
            ]
        } else {
            &[("mu_star", "mu_star_interval", "μ*")]
        };
        let num = |v: &serde_json::Value, what: &str| {
            v.as_f64()
                .ok_or_else(|| bad(format!("{name}: {what} is not a number")))
        };
        let mut series = Vec::new();
        for (value, interval, label) in keys {
            let (mut values, mut intervals) = (Vec::new(), Vec::new());
            for p in &params {
                let e = &per
                    .get(p)
                    .ok_or_else(|| bad(format!("{name}: no parameter {p}")))?;
                values.push(num(&e[*value], value)?);
                intervals.push([
                    num(&e[*interval][0], interval)?,
                    num(&e[*interval][1], interval)?,
                ]);
            }
            series.push(IndexSeries {
                label: (*label).to_string(),
                values,
                intervals,
            });
        }
        Ok(Self {
            title: format!("Sensitivity of {name}"),
            value_label: if sobol {
                "Sobol' index (95% bootstrap interval)".into()
            } else {
                "Morris μ* (95% bootstrap interval)".into()
            },
            params,
            series,
        })
    }
}

impl super::Figure for SensitivityPlot {
    fn check(&self) -> Result<()> {
        if self.params.is_empty() || self.series.is_empty() {
            return Err(Error::invalid(
                "sensitivity.params",
                "needs at least one parameter and one series",
            ));
        }
        for (s, series) in self.series.iter().enumerate() {
            if series.values.len() != self.params.len()
                || series.intervals.len() != self.params.len()
            {
                return Err(Error::invalid(
                    format!("sensitivity.series[{s}]"),
                    format!(
                        "has {} values and {} intervals for {} parameters",
                        series.values.len(),
                        series.intervals.len(),
                        self.params.len()
                    ),
                ));
            }
            let all = series
                .values
                .iter()
                .chain(series.intervals.iter().flatten());
            if all.clone().any(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    format!("sensitivity.series[{s}]"),
                    "values and intervals must be finite",
                ));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let area = frame::titled(root, &self.title)?;
        let all = self
            .series
            .iter()
            .flat_map(|s| s.values.iter().chain(s.intervals.iter().flatten()));
        let (lo, hi) = all.fold((0.0f64, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
        let pad = 0.05 * (hi - lo).max(1e-9);
        let n = self.params.len() as f64;
        let longest = self
            .params
            .iter()
            .map(|p| p.chars().count())
            .max()
            .unwrap_or(4);
        let mut chart = ChartBuilder::on(&area)
            .margin(frame::MARGIN)
            .x_label_area_size(frame::X_LABELS)
            .y_label_area_size((longest as u32 * 9).clamp(80, 420))
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n - 0.5))
            .map_err(err)?;
        let names = self.params.clone();
        let label = move |y: &f64| {
            let k = y.round();
            if (y - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < names.len() {
                // Top to bottom: parameter 0 at the top.
                names[names.len() - 1 - k as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc(self.value_label.as_str())
            .y_labels(self.params.len() * 2 + 1)
            .y_label_formatter(&label)
            .x_label_formatter(&super::style::tick)
            .label_style((FONT, frame::TICKS))
            .axis_desc_style((FONT, frame::AXIS))
            .bold_line_style(RGBColor(205, 205, 205).mix(0.6))
            .light_line_style(WHITE.mix(0.0))
            .disable_y_mesh()
            .draw()
            .map_err(err)?;
        let m = self.series.len() as f64;
        let band = 0.8 / m;
        for (s, series) in self.series.iter().enumerate() {
            let c = color(s);
            for (i, (&v, iv)) in series.values.iter().zip(&series.intervals).enumerate() {
                let y = (n - 1.0 - i as f64) + 0.4 - band * (s as f64 + 0.5);
                let bar = Rectangle::new(
                    [(0.0, y - 0.4 * band), (v, y + 0.4 * band)],
                    c.mix(0.75).filled(),
                );
                chart.draw_series(std::iter::once(bar)).map_err(err)?;
                let whisker = [
                    PathElement::new(vec![(iv[0], y), (iv[1], y)], BLACK.stroke_width(2)),
                    PathElement::new(
                        vec![(iv[0], y - 0.2 * band), (iv[0], y + 0.2 * band)],
                        BLACK.stroke_width(2),
                    ),
                    PathElement::new(
                        vec![(iv[1], y - 0.2 * band), (iv[1], y + 0.2 * band)],
                        BLACK.stroke_width(2),
                    ),
                ];
                chart.draw_series(whisker).map_err(err)?;
            }
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(err)?
                .label(series.label.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((FONT, frame::LEGEND))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}
