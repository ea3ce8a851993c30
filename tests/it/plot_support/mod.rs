//! Helpers for `tests/it/plots.rs`: file checks (PNG header, SVG
//! well-formedness) and inputs computed from the model.

mod inputs;

use std::path::Path;

use escalation::Error;
use escalation::plot;

pub use inputs::*;

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

pub fn assert_invalid(r: escalation::Result<()>, needle: &str) {
    match r {
        Err(e @ Error::Invalid(_)) => {
            let msg = e.to_string();
            assert!(msg.contains(needle), "{msg:?} does not mention {needle:?}");
            assert!(e.is_input_error());
        }
        other => panic!("expected an invalid-input error mentioning {needle:?}, got {other:?}"),
    }
}

/// Renders PNG and SVG, at the default and at a custom size; checks both and
/// returns the SVG text.
pub fn both(
    dir: &Path,
    name: &str,
    draw: impl Fn(&Path, (u32, u32)) -> escalation::Result<()>,
) -> String {
    for size in [(plot::WIDTH, plot::HEIGHT), (900, 560)] {
        let png = dir.join(format!("{name}-{}.png", size.0));
        draw(&png, size).unwrap();
        check_png(&png, size);
    }
    let svg = dir.join(format!("{name}.svg"));
    draw(&svg, (plot::WIDTH, plot::HEIGHT)).unwrap();
    check_svg(&svg)
}
