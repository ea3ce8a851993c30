//! Maps a validation error's key path (`actor[1].restraint`) to a line and
//! column in the TOML text, using toml_edit's spans.

use toml_edit::{ImDocument, Item, Table, Value};

/// 1-based line and column of byte offset `pos`.
pub(crate) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text[..pos];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(pos, |nl| pos - nl - 1) + 1;
    (line, col)
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(p) => (&part[..p], &part[p..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name));
        }
        while let Some(end) = rest.find(']') {
            if let Ok(i) = rest[1..end].parse() {
                out.push(Seg::Index(i));
            }
            rest = &rest[end + 1..];
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Item(&'a Item),
    Value(&'a Value),
}

fn note(best: &mut Option<std::ops::Range<usize>>, span: Option<std::ops::Range<usize>>) {
    if let Some(s) = span {
        *best = Some(s);
    }
}

/// Line and column of the deepest part of `path` present in `text`.
pub(crate) fn find(text: &str, path: &str) -> Option<(usize, usize)> {
    let doc = ImDocument::parse(text).ok()?;
    let mut node = Node::Table(doc.as_table());
    let mut best: Option<std::ops::Range<usize>> = None;
    for seg in segments(path) {
        // Normalise an item to the table or value it holds.
        if let Node::Item(item) = node {
            node = match item {
                Item::Table(t) => Node::Table(t),
                Item::Value(v) => Node::Value(v),
                _ => node,
            };
        }
        let next = match (node, seg) {
            (Node::Table(t), Seg::Key(k)) => t.get_key_value(k).map(|(key, it)| {
                note(&mut best, key.span());
                Node::Item(it)
            }),
            (Node::Value(Value::InlineTable(t)), Seg::Key(k)) => {
                t.get_key_value(k).map(|(key, v)| {
                    note(&mut best, key.span());
                    Node::Item(v)
                })
            }
            (Node::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => a.get(i).map(|t| {
                note(&mut best, t.span());
                Node::Table(t)
            }),
            (Node::Value(Value::Array(a)), Seg::Index(i)) => a.get(i).map(|v| {
                note(&mut best, v.span());
                Node::Value(v)
            }),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    best.map(|s| line_col(text, s.start))
}
