//! Saving a figure (`plot::Figure`): the checks run before the file is
//! created, the size and extension rules, degenerate but valid data, the
//! calibration figures and side-by-side panels.

#[allow(dead_code, unused_imports)]
use crate::plot_support;

use escalation::calibrate::{FitOptions, Group, Series, fit_pooled, fit_richardson};
use escalation::plot::{self, PooledFitPlot, RichardsonFitPlot};
use escalation::prelude::*;
use plot_support::*;

#[test]
fn invalid_data_sizes_and_extensions_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let bad = plot::Heatmap {
        x_label: "x".into(),
        y_label: "y".into(),
        x: vec![0.0, 1.0],
        y: vec![0.0, 1.0],
        values: vec![vec![0.5]],
        ..plot::Heatmap::default()
    };
    for name in ["raw.png", "raw.svg"] {
        assert_invalid(bad.check(), "values");
        assert_invalid(bad.save_sized(p(name), (400, 300)), "values");
        assert!(!p(name).exists(), "{name} written for invalid data");
    }
    let dot = plot::Bifurcation {
        branches: vec![plot::Branch::uniform(vec![(1.0, 2.0)], true)],
        ..plot::Bifurcation::default()
    };
    assert_eq!(dot.default_size(), (plot::WIDTH, plot::HEIGHT));
    assert_invalid(dot.save(p("dot.jpg")), "extension");
    assert_invalid(dot.save_sized(p("dot.png"), (10, 10)), "width");
    assert_invalid(dot.save_sized(p("dot.png"), (400, 20_000)), "height");
    assert!(!p("dot.png").exists());
    // The extension's case does not matter.
    dot.save(p("DOT.SVG")).unwrap();
    assert!(
        std::fs::read_to_string(p("DOT.SVG"))
            .unwrap()
            .starts_with("<svg")
    );
}

#[test]
fn calibration_figures_save_and_check_their_fits() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "year,X,Y\n2000,10,12\n2001,11,13.5\n2002,12.6,15.6\n2003,15,18.6\n\
               2004,18.2,22.4\n2005,22.5,27.1\n";
    let series = Series::parse(csv, None).unwrap();
    let data = series.grouped(&Group::each_column(&series)).unwrap();
    let opts = FitOptions::default().with_bootstrap(0).unwrap();
    let mut pooled = fit_pooled(&data, &opts).unwrap();
    let path = dir.path().join("pooled.png");
    PooledFitPlot::new(&pooled, "millions").save(&path).unwrap();
    check_png(&path, (plot::WIDTH, plot::HEIGHT));
    pooled.level.pop();
    assert_invalid(PooledFitPlot::new(&pooled, "millions").check(), "fit");
    let mut groups = fit_richardson(&data, &opts).unwrap();
    let path = dir.path().join("groups.svg");
    RichardsonFitPlot::new(&groups, "millions")
        .save_sized(&path, (900, 600))
        .unwrap();
    assert!(check_svg(&path).contains("level (millions)"));
    groups.years.truncate(1);
    assert_invalid(
        RichardsonFitPlot::new(&groups, "millions").save(dir.path().join("g.png")),
        "fit",
    );
}

#[test]
fn degenerate_but_valid_inputs_render() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    // A map with one value everywhere, a locus that does not move, a fan of
    // zero width, a one-point branch.
    let mut map = stability_grid(false);
    if let plot::MapCells::Values { values, .. } = &mut map.cells {
        values.iter_mut().flatten().for_each(|v| *v = 0.0);
    }
    map.boundary.clear();
    map.marks.clear();
    map.save(p("flat.png")).unwrap();
    let still = plot::RootLocus {
        gains: vec![0.0, 1.0],
        eigenvalues: vec![vec![(-0.5, 0.0)], vec![(-0.5, 0.0)]],
        ..plot::RootLocus::default()
    };
    still.save(p("still.svg")).unwrap();
    let zero = vec![0.0; 5];
    let fan = plot::FanChart {
        t: linspace(0.0, 4.0, 5),
        series: vec![plot::FanSeries {
            name: "A".into(),
            median: zero.clone(),
            bands: vec![plot::QuantileBand {
                lower_q: 0.1,
                upper_q: 0.9,
                lower: zero.clone(),
                upper: zero,
            }],
        }],
        ..plot::FanChart::default()
    };
    fan.save(p("fan.png")).unwrap();
    let dot = plot::Bifurcation {
        branches: vec![plot::Branch::uniform(vec![(1.0, 2.0)], true)],
        ..plot::Bifurcation::default()
    };
    dot.save(p("dot.svg")).unwrap();
}
