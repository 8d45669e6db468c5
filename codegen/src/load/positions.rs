//! Source positions of a spec file: a tree of the YAML document's nodes with their line,
//! column and byte span, looked up by the YAML paths diagnostics name.

use saphyr_parser::{Event, Parser, Span};

/// Where a node is: 1-based line and column, and a byte range (for snippets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
enum Kind {
    Scalar(String),
    Map(Vec<(String, Pos, Node)>),
    Seq(Vec<Node>),
}

#[derive(Debug)]
struct Node {
    pos: Pos,
    kind: Kind,
}

/// The position index of one file (empty when the YAML does not parse).
#[derive(Debug, Default)]
pub struct Positions {
    root: Option<Node>,
}

struct Builder<'a> {
    /// Byte offset of every char index (plus one past the end).
    bytes: Vec<usize>,
    text: &'a str,
}

impl Builder<'_> {
    fn pos(&self, span: Span) -> Pos {
        let at = |i: usize| self.bytes.get(i).copied().unwrap_or(self.text.len());
        Pos {
            line: span.start.line(),
            col: span.start.col() + 1,
            start: at(span.start.index()),
            end: at(span.end.index()).max(at(span.start.index())),
        }
    }
}

enum Open {
    Map(Pos, Vec<(String, Pos, Node)>, Option<(String, Pos)>),
    Seq(Pos, Vec<Node>),
}

impl Positions {
    /// Indexes `text`; a file that does not parse yields an empty index.
    pub fn of(text: &str) -> Positions {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        let b = Builder { bytes, text };
        let mut stack: Vec<Open> = Vec::new();
        let mut root = None;
        let mut parser = Parser::new_from_str(text);
        while let Some(ev) = parser.next_event() {
            let Ok((ev, span)) = ev else {
                return Positions::default();
            };
            let node = match ev {
                Event::MappingStart(..) => {
                    stack.push(Open::Map(b.pos(span), Vec::new(), None));
                    continue;
                }
                Event::SequenceStart(..) => {
                    stack.push(Open::Seq(b.pos(span), Vec::new()));
                    continue;
                }
                Event::MappingEnd => match stack.pop() {
                    Some(Open::Map(pos, entries, _)) => Node {
                        pos,
                        kind: Kind::Map(entries),
                    },
                    _ => return Positions::default(),
                },
                Event::SequenceEnd => match stack.pop() {
                    Some(Open::Seq(pos, items)) => Node {
                        pos,
                        kind: Kind::Seq(items),
                    },
                    _ => return Positions::default(),
                },
                Event::Scalar(v, ..) => Node {
                    pos: b.pos(span),
                    kind: Kind::Scalar(v.into_owned()),
                },
                Event::Alias(_) => Node {
                    pos: b.pos(span),
                    kind: Kind::Scalar(String::new()),
                },
                _ => continue,
            };
            match stack.last_mut() {
                None => root = Some(node),
                Some(Open::Seq(_, items)) => items.push(node),
                Some(Open::Map(_, entries, pending)) => match pending.take() {
                    None => {
                        let key = match &node.kind {
                            Kind::Scalar(s) => s.clone(),
                            _ => String::new(),
                        };
                        *pending = Some((key, node.pos));
                    }
                    Some((key, kpos)) => entries.push((key, kpos, node)),
                },
            }
        }
        Positions { root }
    }

    /// The position of the node at a diagnostic's YAML path (`types.A.fields.x.max_len`,
    /// `operations.op.errors[0].code`), or of its nearest existing ancestor. List elements are
    /// addressed by index or by their `name` key. For a mapping key the span covers the key and,
    /// on the same line, its value.
    pub fn find(&self, path: &str) -> Option<Pos> {
        let root = self.root.as_ref()?;
        let mut node = root;
        let mut best = root.pos;
        for seg in segments(path) {
            let next = match (&node.kind, &seg) {
                (Kind::Map(entries), Seg::Key(k)) => entries
                    .iter()
                    .find(|(key, _, _)| key == k)
                    .map(|(_, kpos, v)| (key_span(*kpos, v), v)),
                (Kind::Seq(items), Seg::Index(i)) => items.get(*i).map(|n| (n.pos, n)),
                (Kind::Seq(items), Seg::Key(k)) => items
                    .iter()
                    .find(|n| name_of(n) == Some(k.as_str()))
                    .map(|n| (n.pos, n)),
                _ => None,
            };
            let Some((pos, n)) = next else {
                break;
            };
            best = pos;
            node = n;
        }
        Some(best)
    }
}

fn key_span(k: Pos, v: &Node) -> Pos {
    let end = match &v.kind {
        Kind::Scalar(_) if v.pos.line == k.line => v.pos.end,
        _ => k.end,
    };
    Pos { end, ..k }
}

fn name_of(n: &Node) -> Option<&str> {
    let Kind::Map(entries) = &n.kind else {
        return None;
    };
    entries
        .iter()
        .find_map(|(k, _, v)| match (&v.kind, k.as_str()) {
            (Kind::Scalar(s), "name") => Some(s.as_str()),
            _ => None,
        })
}

enum Seg {
    Key(String),
    Index(usize),
}

/// `a.b[2].c` → `a`, `b`, `[2]`, `c`.
fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(Seg::Key(rest[..i].to_string()));
            }
            rest = &rest[i..];
            while let Some(r) = rest.strip_prefix('[') {
                let Some(close) = r.find(']') else {
                    break;
                };
                match r[..close].parse() {
                    Ok(n) => out.push(Seg::Index(n)),
                    Err(_) => out.push(Seg::Key(r[..close].to_string())),
                }
                rest = &r[close + 1..];
            }
        } else {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "family: favor\ntypes:\n  A:\n    kind: object\n    fields:\n      - name: x\n        type: string\n        max_len: -1\n      - {name: y, type: integer}\n";

    #[test]
    fn finds_keys_list_elements_by_name_and_index() {
        let p = Positions::of(TEXT);
        let at = |path: &str| p.find(path).map(|p| (p.line, p.col));
        assert_eq!(at("family"), Some((1, 1)));
        assert_eq!(at("types.A.fields.x.max_len"), Some((8, 9)));
        assert_eq!(at("types.A.fields[1]"), Some((9, 9)));
        assert_eq!(at("types.A.fields.y.type"), Some((9, 19)));
        // A missing key falls back to its parent.
        assert_eq!(at("types.A.fields.x.required"), Some((6, 9)));
        let pos = p.find("types.A.fields.x.max_len").expect("found");
        assert_eq!(&TEXT[pos.start..pos.end], "max_len: -1");
    }

    #[test]
    fn broken_yaml_has_no_positions() {
        assert_eq!(Positions::of("a: [b\n").find("a"), None);
    }
}
