//! Helpers for `tests/plots.rs`: file checks (PNG header, SVG
//! well-formedness) and inputs computed from the model.

use std::path::Path;

use escalation::model::Model;
use escalation::plot;
use escalation::prelude::*;

/// A fourteen-day ceasefire with spoilers and a hotline.
pub const CEASEFIRE: &str = r#"
name = "Fourteen-day cessation"
horizon = 40.0
seed = 3

[[actor]]
name = "US"
restraint = 0.5
grievance = 0.2
initial = 2.0

[[actor]]
name = "Iran"
restraint = 0.4
grievance = 0.25
initial = 2.5

[coupling]
US = { Iran = 0.35 }
Iran = { US = 0.6 }

[[phase]]
name = "ceasefire"
start = 0.0
end = 14.0
gain = 0.3
parties = ["US", "Iran"]
verify = 4.0
breach_rung = 3
after_gain = 1.3

[spoilers]
rate = 0.3
magnitude = 1.5
targets = ["US"]
accused = "Iran"
attribution = 0.5
attribution_delay = 1.0

[hotline]
start = 2.0
attribution = 0.9
"#;

/// `n` evenly spaced values from `lo` to `hi`.
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// The PNG at `path` is non-empty, has the PNG signature, and its IHDR
/// chunk gives `size` (width, height).
pub fn check_png(path: &Path, size: (u32, u32)) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.len() > 8000,
        "{}: only {} bytes",
        path.display(),
        bytes.len()
    );
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{}: not a PNG",
        path.display()
    );
    assert_eq!(&bytes[8..12], &13u32.to_be_bytes(), "IHDR length");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), size, "{}", path.display());
    assert!(bytes.windows(4).any(|c| c == b"IDAT"), "no image data");
    assert!(bytes.ends_with(b"IEND\xaeB`\x82"), "no IEND chunk");
}

/// The SVG at `path` is one `<svg>` element whose tags balance, whose
/// attributes are quoted and whose entities are known; returns its text.
pub fn check_svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let t = text.trim();
    assert!(
        t.starts_with("<svg"),
        "{}: does not start with <svg",
        path.display()
    );
    assert!(
        t.ends_with("</svg>"),
        "{}: does not end with </svg>",
        path.display()
    );
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = t;
    let mut elements = 0;
    while let Some(i) = rest.find('<') {
        check_text(&rest[..i]);
        rest = &rest[i..];
        if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").expect("unterminated comment");
            rest = &r[end + 3..];
            continue;
        }
        let end = tag_end(rest)
            .unwrap_or_else(|| panic!("unterminated tag: {}", &rest[..rest.len().min(80)]));
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name.trim(), "tags cross");
        } else {
            let name = tag
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap();
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                "bad tag {tag:?}"
            );
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in {tag:?}"
            );
            elements += 1;
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        if stack.is_empty() {
            assert!(rest.trim().is_empty(), "content after the root element");
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    assert!(
        elements > 50,
        "{}: only {elements} elements",
        path.display()
    );
    text
}

/// Index of the `>` closing the tag that starts `s`, outside quotes.
fn tag_end(s: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// Character data: no stray `>`, every `&` starts a known entity.
fn check_text(s: &str) {
    assert!(!s.contains('>'), "stray > in {s:?}");
    for (i, _) in s.match_indices('&') {
        let r = &s[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
                .iter()
                .any(|e| r.starts_with(e)),
            "unknown entity in {s:?}"
        );
    }
}

/// Every `<text>` element of an SVG: x, y (pixels) and its content.
pub fn svg_texts(svg: &str) -> Vec<(f64, f64, String)> {
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!(" {name}=\"");
        let i = tag.find(&key).unwrap() + key.len();
        tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
    };
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let open = rest.find('>').unwrap();
        let close = rest.find("</text>").unwrap();
        let content = rest[open + 1..close]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
            .trim()
            .to_string();
        out.push((attr(&rest[..open], "x"), attr(&rest[..open], "y"), content));
        rest = &rest[close..];
    }
    out
}

/// Quantile `q` of sorted values, interpolated linearly (monotone in `q`).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (pos - i as f64) * (sorted[j] - sorted[i])
}

/// Median and 5–95 %, 25–75 % bands of `runs` simulated runs on a half-day
/// grid; a run that exploded keeps its last value.
pub fn ensemble_fan(model: &Model, runs: u64) -> plot::FanChart {
    let opts = SimOptions {
        dt: 0.5,
        ..SimOptions::default()
    };
    let results: Vec<Trajectory> = (0..runs)
        .map(|s| {
            simulate(
                model,
                &SimOptions {
                    seed: Some(s),
                    ..opts.clone()
                },
            )
            .unwrap()
        })
        .collect();
    let t = linspace(0.0, model.horizon, (model.horizon / opts.dt) as usize + 1);
    let at = |r: &Trajectory, i: usize, tk: f64| {
        let k = r.t.partition_point(|&s| s <= tk + 1e-9).saturating_sub(1);
        r.x[i][k]
    };
    let series = model
        .dynamics
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut median = Vec::new();
            let mut bands =
                [(0.05, 0.95), (0.25, 0.75)].map(|(lower_q, upper_q)| plot::QuantileBand {
                    lower_q,
                    upper_q,
                    ..plot::QuantileBand::default()
                });
            for &tk in &t {
                let mut v: Vec<f64> = results.iter().map(|r| at(r, i, tk)).collect();
                v.sort_by(f64::total_cmp);
                median.push(quantile(&v, 0.5));
                for b in &mut bands {
                    b.lower.push(quantile(&v, b.lower_q));
                    b.upper.push(quantile(&v, b.upper_q));
                }
            }
            plot::FanSeries {
                name: name.clone(),
                median,
                bands: bands.to_vec(),
            }
        })
        .collect();
    plot::FanChart {
        title: format!("{runs} runs"),
        t,
        series,
        ladder: Some(model.ladder.clone()),
        threshold: Some(model.ladder.bound(model.ladder.top())),
    }
}

/// Equilibria of the linear pair `a = 0.5, b = 0.4, k = 0.3, l = 0.6`
/// with `g = 0.2` for Blue and `h = -0.4` for Red, on `x ≥ 0`, against `γ`.
///
/// The boundary state `(g/a, 0)` (Red held at zero) is stable while Red's
/// drive there, `γ l g/a + h`, is negative: up to `γ_b = -h a / (l g) = 5/3`.
/// Past `γ* = sqrt(ab/kl)` an interior saddle `(A - γK)⁻¹ g` exists, with
/// Red's intensity `(a h + γ l g) / (ab - γ² kl)` positive until `γ_b`, where
/// it meets the boundary state: the two vanish together, a fold.
pub fn border_fold() -> plot::Bifurcation {
    let (a, b, k, l, g, h): (f64, f64, f64, f64, f64, f64) = (0.5, 0.4, 0.3, 0.6, 0.2, -0.4);
    let critical = (a * b / (k * l)).sqrt();
    let fold_gain = -h * a / (l * g);
    let low: Vec<(f64, f64)> = linspace(0.0, fold_gain, 50)
        .into_iter()
        .map(|gm| (gm, g / a))
        .collect();
    let saddle: Vec<(f64, f64)> = linspace(critical + 0.005, fold_gain, 200)
        .into_iter()
        .map(|gm| (gm, (b * g + gm * k * h) / (a * b - gm * gm * k * l)))
        .collect();
    let at_fold = saddle.last().unwrap().1;
    assert!(
        (at_fold - g / a).abs() < 1e-9,
        "the saddle meets the boundary state at γ_b"
    );
    plot::Bifurcation {
        title: "Border fold".into(),
        y_label: "equilibrium intensity of Blue (rungs)".into(),
        branches: vec![
            plot::Branch::uniform(low, true),
            plot::Branch::uniform(saddle, false),
        ],
        folds: vec![(fold_gain, g / a)],
        critical_gain: Some(critical),
        y_range: Some((0.0, 6.0)),
        ..plot::Bifurcation::default()
    }
}
