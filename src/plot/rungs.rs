//! The escalation ladder drawn behind intensity plots: shaded rung bands
//! and the rung names in a column beside the plot (no ticks there, so the
//! names never collide with the intensity scale).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{Chart2d, err};
use super::style::FONT;
use crate::model::Ladder;

/// Width reserved on the right of the plot for rung names, pixels.
pub(crate) const NAMES_WIDTH: u32 = 250;
/// Width reserved on the right of the plot for rung numbers only, pixels.
pub(crate) const NUMBERS_WIDTH: u32 = 40;
/// Font size of the rung names, pixels.
const NAME_FONT: u32 = 14;
/// Longest name shown in full, characters.
const NAME_CHARS: usize = 30;

/// Top of the vertical range that shows the whole ladder: one rung's width
/// above the top rung's bound, or the data's maximum plus 5 %.
pub(crate) fn y_max(ladder: &Ladder, data_max: f64) -> f64 {
    let top = ladder.bound(ladder.top());
    let step = top / ladder.top().max(1) as f64;
    (top + step).max(data_max * 1.05)
}

/// Upper edge of rung `r` within a plot whose top is `y_max`.
fn upper(ladder: &Ladder, r: usize, y_max: f64) -> f64 {
    if r == ladder.top() {
        y_max
    } else {
        ladder.bound(r + 1)
    }
}

/// Alternating grey bands, one per rung, the top (explosion) rung in pale red.
pub(crate) fn draw_bands<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    ladder: &Ladder,
    x: (f64, f64),
    y_max: f64,
) -> Result<(), String> {
    for r in 0..ladder.rungs().len() {
        let lo = ladder.bound(r);
        if lo >= y_max {
            break;
        }
        let hi = upper(ladder, r, y_max).min(y_max);
        let shade = if r == ladder.top() {
            RGBColor(250, 218, 218)
        } else if r % 2 == 0 {
            RGBColor(248, 248, 248)
        } else {
            RGBColor(236, 236, 236)
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x.0, lo), (x.1, hi)],
                shade.filled(),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// A name cut to [`NAME_CHARS`] characters.
fn short(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(NAME_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// Writes `r  name` (or only `r`) for the rungs beside the right edge of the plot, at each
/// band's middle, skipping names that would overlap (the top rung is always
/// named), under the heading "rung".
pub(crate) fn draw_names<'a, DB: DrawingBackend + 'a>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart2d<'a, DB>,
    ladder: &Ladder,
    x_right: f64,
    y_max: f64,
    numbers_only: bool,
) -> Result<(), String> {
    let base = root.get_base_pixel();
    let min_gap = NAME_FONT as i32 + 3;
    // Pixel positions of each visible rung's middle, bottom first.
    let mut spots: Vec<(usize, (i32, i32))> = Vec::new();
    for r in 0..ladder.rungs().len() {
        let lo = ladder.bound(r);
        if lo >= y_max {
            break;
        }
        let mid = 0.5 * (lo + upper(ladder, r, y_max).min(y_max));
        let (px, py) = chart.backend_coord(&(x_right, mid));
        spots.push((r, (px - base.0 + 10, py - base.1)));
    }
    let mut chosen: Vec<(usize, (i32, i32))> = Vec::new();
    for &(r, p) in &spots {
        match chosen.last() {
            Some(&(_, q)) if q.1 - p.1 < min_gap => {
                // The top rung wins over the one below it.
                if r == ladder.top() {
                    chosen.pop();
                    chosen.push((r, p));
                }
            }
            _ => chosen.push((r, p)),
        }
    }
    let style = TextStyle::from((FONT, NAME_FONT).into_font())
        .color(&RGBColor(70, 70, 70))
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (r, p) in chosen {
        let text = if numbers_only {
            r.to_string()
        } else {
            format!("{r}  {}", short(&ladder.rungs()[r].name))
        };
        root.draw(&Text::new(text, p, style.clone())).map_err(err)?;
    }
    if let Some(&(_, top)) = spots.last() {
        let (_, py_top) = chart.backend_coord(&(x_right, y_max));
        let heading = TextStyle::from((FONT, NAME_FONT + 1).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        root.draw(&Text::new("rung", (top.0, py_top - base.1 - 4), heading))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened_with_an_ellipsis() {
        assert_eq!(short("Quiet"), "Quiet");
        let s = short("Unusual, provocative and significant countermeasures");
        assert_eq!(s.chars().count(), NAME_CHARS);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn the_view_shows_the_top_rung_and_the_data() {
        let l = Ladder::standard();
        assert_eq!(y_max(&l, 1.0), 7.0);
        assert!((y_max(&l, 10.0) - 10.5).abs() < 1e-12);
    }
}
